package lan.homelab.pxe.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CRD classes are data: what changed in a status is decided by the status diff. */
class ApiClassesTest {
  private static final List<Class<?>> STATUS_CLASSES =
      List.of(
          NodeInstallStatus.class,
          ProvisioningSlotStatus.class,
          DiscoveryFacts.class,
          AnswerRequestFacts.class,
          InstallInventory.class,
          DiskInfo.class,
          NicInfo.class);

  @Test
  void shouldLeaveComparingStatusesToTheStatusDiffInsteadOfAHandWrittenEquals() {
    for (Class<?> type : STATUS_CLASSES) {
      List<String> declared =
          Arrays.stream(type.getDeclaredMethods())
              .map(Method::getName)
              .filter(n -> n.equals("equals") || n.equals("hashCode"))
              .toList();
      assertThat(declared).as(type.getSimpleName()).isEmpty();
    }
  }
}
