package lan.homelab.pxe.http;

import io.fabric8.kubernetes.api.model.Event;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import lan.homelab.pxe.api.v1alpha1.NodeInstall;
import lan.homelab.pxe.api.v1alpha1.ProvisioningSlot;
import lan.homelab.pxe.install.UnclaimedInstalls;

/**
 * Where {@link StatusSnapshot} reads from: caches the operator keeps up to date by watching (the
 * reconcilers' informers, {@link lan.homelab.pxe.status.NodeInstallEvents}), never the API server.
 */
public record StatusSource(
    Supplier<Collection<ProvisioningSlot>> slots,
    Supplier<Collection<NodeInstall>> installs,
    Function<String, Optional<Event>> newestEvent,
    Supplier<UnclaimedInstalls.State> unclaimed) {

  /** A source without the intake's bound (the snapshot shows none). */
  public StatusSource(
      Supplier<Collection<ProvisioningSlot>> slots,
      Supplier<Collection<NodeInstall>> installs,
      Function<String, Optional<Event>> newestEvent) {
    this(slots, installs, newestEvent, null);
  }
}
