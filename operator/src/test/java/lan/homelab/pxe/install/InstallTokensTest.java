package lan.homelab.pxe.install;

import static lan.homelab.pxe.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import lan.homelab.pxe.MockApi;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.NodeInstallSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InstallTokensTest {
  private final MockApi api = new MockApi(NS);
  private final AtomicLong nanos = new AtomicLong();
  private final InstallTokens tokens = new InstallTokens(api.client(), nanos::get);

  @AfterEach
  void stop() {
    api.close();
  }

  private NodeInstall install(int i) {
    NodeInstall ni = new NodeInstall();
    ni.getMetadata().setName(String.format("52-54-00-00-%02x-%02x", i / 256, i % 256));
    ni.getMetadata().setNamespace(NS);
    ni.setSpec(new NodeInstallSpec());
    ni.getSpec().setMac(ni.getMetadata().getName().replace('-', ':'));
    return api.client().resource(ni).create();
  }

  @Test
  void shouldNotBelieveALaggingCacheThatStillShowsARevokedToken() {
    NodeInstall ni = install(1);
    InstallTokens.Token first = tokens.ensure(ni, Optional.empty());
    Secret firstSecret = first.minted().orElseThrow();

    tokens.revoke(ni, Optional.of(firstSecret));
    InstallTokens.Token next = tokens.ensure(ni, Optional.of(firstSecret));

    assertThat(next.minted()).as("a new token is minted").isPresent();
    assertThat(next.value()).isNotEqualTo(first.value());
  }

  @Test
  void shouldForgetRevokedTokensOnceNoCacheCanStillShowThem() {
    NodeInstall ni = install(1);
    Secret minted = tokens.ensure(ni, Optional.empty()).minted().orElseThrow();
    tokens.revoke(ni, Optional.of(minted));
    assertThat(tokens.revokedRemembered()).isOne();

    nanos.addAndGet(InstallTokens.REVOKED_MEMORY.toNanos());

    assertThat(tokens.revokedRemembered()).isZero();
  }
}
