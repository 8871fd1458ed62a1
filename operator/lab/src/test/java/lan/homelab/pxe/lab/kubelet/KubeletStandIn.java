package lan.homelab.pxe.lab.kubelet;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import lan.homelab.pxe.lab.api.EmbeddedApiServer;

/**
 * Starts a pod spec the way a kubelet (containerd, runc) does, on this machine, with Debian's
 * binaries standing in for the images' (see {@code ci/image-contract.yaml}):
 *
 * <ul>
 *   <li>init containers in order (a sidecar, restartPolicy Always, counts as started once its
 *       startupProbe passes), then the containers; an exited container is restarted with back-off
 *       and its restarts counted;
 *   <li>each with the image's entrypoint unless {@code command} is set, {@code args} else the
 *       image's cmd, an environment of exactly its {@code env} plus what a kubelet adds;
 *   <li>runAsUser/runAsGroup (the image's user where none), fsGroup and supplementalGroups as
 *       supplementary groups, exactly the added capabilities in the bounding set (effective for uid
 *       0 only, as with containerd), no_new_privs, runAsNonRoot enforced;
 *   <li>in a mount namespace of its own: every volume at its mountPath (emptyDir owned by the
 *       fsGroup with the setgid bit, hostPath, configMap, projected token/ca.crt/namespace), the
 *       image's declared files, its users and groups as /etc/passwd and /etc/group, an /etc/hosts
 *       where cluster names resolve; with readOnlyRootFilesystem everything but the writable
 *       volumes read-only;
 *   <li>the network namespace given: hostNetwork pods share it (the lab's server namespace).
 * </ul>
 *
 * <p>Deviations, stated: the image's root is this machine's root (read-only, with only the declared
 * files added); no seccomp profile, no cgroup limits; /dev is the host's; names resolve through
 * /etc/hosts, not cluster DNS; emptyDir with medium Memory is a plain directory; the back-off is 1
 * s doubling to 8 s (a kubelet's starts at 10 s).
 */
public final class KubeletStandIn {
  private static final String TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
  private static final Map<String, Path> IMAGE_FILE_SOURCES =
      Map.of(
          "/var/lib/tftpboot/undionly.kpxe", Path.of("/usr/lib/ipxe/undionly.kpxe"),
          "/var/lib/tftpboot/undionly.kpxe.0", Path.of("/usr/lib/ipxe/undionly.kpxe"),
          "/var/lib/tftpboot/ipxe.efi", Path.of("/usr/lib/ipxe/ipxe.efi"));

  /** Where the pod runs: its network namespace and the node's address (its IP on hostNetwork). */
  public record Node(String name, String netns, String address) {}

  /** The cluster as a pod sees it: the API, its in-cluster address, names in /etc/hosts. */
  public record Cluster(
      EmbeddedApiServer api,
      KubernetesClient admin,
      String apiHost,
      int apiPort,
      Map<String, String> hosts) {}

  private final ImageContract images;
  private final Cluster cluster;
  private final Path work;

  /** Where stand-in pods live: outside /tmp and every other mount path the chart's pods use. */
  static final Path ROOT = Path.of("/var/tmp/pxe-operator-kubelet");

  /**
   * A fresh directory for this JVM's pods under {@link #ROOT}, after deleting those of JVMs that no
   * longer run. (Under a container's mount path, e.g. /tmp, the volume sources would be hidden by
   * that mount inside the container's mount namespace.)
   */
  public static Path workDir(String name) throws IOException {
    Files.createDirectories(ROOT);
    try (var runs = Files.list(ROOT)) {
      for (Path run : runs.toList()) {
        String[] parts = run.getFileName().toString().split("-");
        boolean alive =
            parts.length > 1
                && parts[0].matches("[0-9]+")
                && ProcessHandle.of(Long.parseLong(parts[0])).isPresent();
        if (!alive) {
          deleteTree(run);
        }
      }
    }
    Path dir = ROOT.resolve(ProcessHandle.current().pid() + "-" + name);
    deleteTree(dir);
    Files.createDirectories(dir);
    return dir;
  }

  public KubeletStandIn(Cluster cluster, Path work) throws IOException {
    this.images = ImageContract.load();
    this.cluster = cluster;
    this.work = work;
  }

  /** Starts the pod; containers follow once every init container has completed or started. */
  public RunningPod run(String namespace, String podName, PodSpec spec, Node node)
      throws IOException {
    Path podDir = work.resolve(podName);
    Files.createDirectories(podDir);
    for (Container c : concat(spec)) {
      for (VolumeMount m : c.getVolumeMounts()) {
        Path target = Path.of(m.getMountPath());
        if (podDir.toAbsolutePath().startsWith(target)) {
          throw new IllegalStateException(
              c.getName() + " mounts " + target + ", which would hide the stand-in's " + podDir);
        }
      }
    }
    Map<String, Path> volumes = prepareVolumes(namespace, spec, podDir);
    RunningPod pod = new RunningPod(podName, node, podDir);
    try {
      for (Container c : spec.getInitContainers()) {
        ContainerRun run = start(namespace, podName, spec, c, node, volumes, podDir, pod, true);
        if ("Always".equals(c.getRestartPolicy())) {
          run.awaitStarted();
        } else {
          run.awaitCompleted();
        }
      }
      for (Container c : spec.getContainers()) {
        start(namespace, podName, spec, c, node, volumes, podDir, pod, false);
      }
    } catch (IOException | RuntimeException e) {
      pod.close();
      throw e;
    }
    return pod;
  }

  private static List<Container> concat(PodSpec spec) {
    List<Container> all = new ArrayList<>(spec.getInitContainers());
    all.addAll(spec.getContainers());
    return all;
  }

  private Map<String, Path> prepareVolumes(String namespace, PodSpec spec, Path podDir)
      throws IOException {
    Long fsGroup =
        Optional.ofNullable(spec.getSecurityContext()).map(s -> s.getFsGroup()).orElse(null);
    Map<String, Path> volumes = new LinkedHashMap<>();
    for (Volume v : spec.getVolumes()) {
      Path dir = podDir.resolve("volumes").resolve(v.getName());
      if (v.getEmptyDir() != null) {
        deleteTree(dir); // a new pod's emptyDir is empty
        Files.createDirectories(dir);
        Files.setAttribute(dir, "unix:mode", 0777);
        applyFsGroup(dir, fsGroup);
        volumes.put(v.getName(), dir);
      } else if (v.getHostPath() != null) {
        Path path = Path.of(v.getHostPath().getPath());
        if ("DirectoryOrCreate".equals(v.getHostPath().getType())) {
          Files.createDirectories(path);
        } else if (!Files.exists(path)) {
          throw new IllegalStateException("hostPath " + path + " does not exist");
        }
        volumes.put(v.getName(), path);
      } else if (v.getConfigMap() != null) {
        Files.createDirectories(dir);
        ConfigMap cm =
            cluster
                .admin()
                .configMaps()
                .inNamespace(namespace)
                .withName(v.getConfigMap().getName())
                .require();
        for (Map.Entry<String, String> e : cm.getData().entrySet()) {
          writeProjected(dir.resolve(e.getKey()), e.getValue(), fsGroup);
        }
        volumes.put(v.getName(), dir);
      } else if (v.getProjected() != null) {
        Files.createDirectories(dir);
        for (VolumeProjection source : v.getProjected().getSources()) {
          project(namespace, spec, source, dir, fsGroup);
        }
        volumes.put(v.getName(), dir);
      } else {
        throw new IllegalArgumentException(
            "volume "
                + v.getName()
                + ": the stand-in supports emptyDir, hostPath, configMap and"
                + " projected volumes");
      }
    }
    if (!Boolean.FALSE.equals(spec.getAutomountServiceAccountToken())) {
      Path dir = podDir.resolve("volumes").resolve("kube-api-access");
      Files.createDirectories(dir);
      cluster.api().writeServiceAccountVolume(dir, namespace, serviceAccount(spec));
      volumes.put("kube-api-access", dir);
    }
    return volumes;
  }

  private void project(
      String namespace, PodSpec spec, VolumeProjection source, Path dir, Long fsGroup)
      throws IOException {
    if (source.getServiceAccountToken() != null) {
      writeProjected(
          dir.resolve(source.getServiceAccountToken().getPath()),
          cluster.api().serviceAccountToken(namespace, serviceAccount(spec)),
          fsGroup);
    } else if (source.getConfigMap() != null) {
      ConfigMap cm =
          cluster
              .admin()
              .configMaps()
              .inNamespace(namespace)
              .withName(source.getConfigMap().getName())
              .require();
      for (var item : source.getConfigMap().getItems()) {
        writeProjected(dir.resolve(item.getPath()), cm.getData().get(item.getKey()), fsGroup);
      }
    } else if (source.getDownwardAPI() != null) {
      for (var item : source.getDownwardAPI().getItems()) {
        if (!"metadata.namespace".equals(item.getFieldRef().getFieldPath())) {
          throw new IllegalArgumentException("downwardAPI " + item.getFieldRef().getFieldPath());
        }
        writeProjected(dir.resolve(item.getPath()), namespace, fsGroup);
      }
    } else {
      throw new IllegalArgumentException("projected source " + source);
    }
  }

  private static void writeProjected(Path file, String text, Long fsGroup) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
    Files.setAttribute(file, "unix:mode", fsGroup == null ? 0644 : 0640);
    if (fsGroup != null) {
      Files.setAttribute(file, "unix:gid", fsGroup.intValue());
    }
  }

  /** As the kubelet applies fsGroup to a volume: that group, group-writable, setgid. */
  private static void applyFsGroup(Path dir, Long fsGroup) throws IOException {
    if (fsGroup != null) {
      Files.setAttribute(dir, "unix:gid", fsGroup.intValue());
      Files.setAttribute(dir, "unix:mode", 02777);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var tree = Files.walk(dir)) {
        for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static String serviceAccount(PodSpec spec) {
    return spec.getServiceAccountName() == null ? "default" : spec.getServiceAccountName();
  }

  private ContainerRun start(
      String namespace,
      String podName,
      PodSpec spec,
      Container c,
      Node node,
      Map<String, Path> volumes,
      Path podDir,
      RunningPod pod,
      boolean init)
      throws IOException {
    ImageContract.Image image = images.of(c.getImage());
    Identity identity = identity(spec, c, image);
    Path dir = podDir.resolve("containers").resolve(c.getName());
    Files.createDirectories(dir);
    String setup = setupScript(spec, c, image, identity, node, volumes, dir);
    Path script = dir.resolve("setup.sh");
    Files.writeString(script, setup);
    List<String> argv = processArgs(c, image);
    Map<String, String> env = environment(namespace, podName, c, node, image, dir);
    List<String> launch = new ArrayList<>(List.of("sh", script.toString()));
    launch.addAll(identity.setpriv());
    launch.add("env");
    launch.add("-i");
    env.forEach((k, v) -> launch.add(k + "=" + v));
    launch.addAll(argv);
    List<String> full =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                node.netns(),
                "unshare",
                "--mount",
                "--propagation",
                "private"));
    full.addAll(launch);
    ContainerRun run =
        new ContainerRun(c, full, dir.resolve("log"), identity, env, node, init, pod);
    pod.add(run);
    run.begin();
    return run;
  }

  /** The process's argv: command (else the image's entrypoint) then args (else the image's cmd). */
  private List<String> processArgs(Container c, ImageContract.Image image) throws IOException {
    List<String> argv = new ArrayList<>();
    List<String> command = c.getCommand().isEmpty() ? image.entrypoint() : c.getCommand();
    List<String> args =
        c.getCommand().isEmpty() && c.getArgs().isEmpty() ? image.cmd() : c.getArgs();
    if (!command.isEmpty() && command.get(0).equals("java")) {
      argv.add(ProcessHandle.current().info().command().orElse("java"));
      for (String a : command.subList(1, command.size())) {
        argv.add(a.equals("@/app/jib-classpath-file") ? "@" + jibClasspathFile() : a);
      }
    } else {
      argv.addAll(command);
    }
    argv.addAll(args);
    String program = argv.get(0);
    if (!program.startsWith("/") && !image.commands().contains(program)) {
      throw new IllegalStateException(
          c.getName() + " runs " + program + ", which " + image.repository() + " does not provide");
    }
    return argv;
  }

  /**
   * The image's /app as jib lays it out, from this JVM's classpath: every jar hard-linked (else
   * copied) and every class directory copied into a world-readable tree, since the container's user
   * (65532) cannot read the build's own directories (e.g. ~/.m2).
   */
  private synchronized Path jibClasspathFile() throws IOException {
    Path app = work.resolve("images/pxe-operator/app");
    Path file = app.resolve("jib-classpath-file");
    if (Files.isRegularFile(file)) {
      return file;
    }
    List<String> entries = new ArrayList<>();
    int i = 0;
    Path module = lan.homelab.pxe.chart.HelmChart.repoRoot().resolve("operator/target");
    Path runtime = module.resolve("classpath.txt");
    if (!Files.isRegularFile(runtime)) {
      throw new IllegalStateException(
          runtime
              + " is missing: build the operator module first (./mvnw -pl operator,operator/lab ...)");
    }
    List<String> classpath = new ArrayList<>();
    classpath.add(module.resolve("classes").toString());
    classpath.addAll(List.of(Files.readString(runtime).trim().split(java.io.File.pathSeparator)));
    for (String entry : classpath) {
      Path source = Path.of(entry);
      if (!Files.exists(source)) {
        continue;
      }
      i++;
      Path dest;
      if (Files.isDirectory(source)) {
        dest = app.resolve("classes").resolve(Integer.toString(i));
        try (var tree = Files.walk(source)) {
          for (Path from : tree.toList()) {
            Path to = dest.resolve(source.relativize(from).toString());
            if (Files.isDirectory(from)) {
              Files.createDirectories(to);
            } else {
              Files.copy(from, to);
            }
          }
        }
      } else {
        dest = app.resolve("libs").resolve(i + "-" + source.getFileName());
        Files.createDirectories(dest.getParent());
        try {
          Files.createLink(dest, source);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(source, dest);
        }
      }
      entries.add(dest.toString());
    }
    run(List.of("chmod", "-R", "a+rX", app.toString()));
    for (Path d = app; d != null && !d.equals(d.getRoot()); d = d.getParent()) {
      run(List.of("chmod", "a+x", d.toString()));
      if (d.equals(work)) {
        break;
      }
    }
    Files.writeString(file, String.join(java.io.File.pathSeparator, entries));
    Files.setAttribute(file, "unix:mode", 0644);
    return file;
  }

  private Map<String, String> environment(
      String namespace, String podName, Container c, Node node, ImageContract.Image image, Path dir)
      throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", path(image, dir));
    env.put("HOSTNAME", node.name());
    env.put("KUBERNETES_SERVICE_HOST", cluster.apiHost());
    env.put("KUBERNETES_SERVICE_PORT", Integer.toString(cluster.apiPort()));
    for (EnvVar e : c.getEnv()) {
      if (e.getValue() != null || e.getValueFrom() == null) {
        env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
      } else if (e.getValueFrom().getFieldRef() != null) {
        String field = e.getValueFrom().getFieldRef().getFieldPath();
        env.put(
            e.getName(),
            switch (field) {
              case "metadata.namespace" -> namespace;
              case "metadata.name" -> podName;
              case "spec.nodeName" -> node.name();
              case "status.podIP", "status.hostIP" -> node.address();
              default -> throw new IllegalArgumentException("fieldRef " + field);
            });
      } else {
        throw new IllegalArgumentException("env " + e.getName() + ": only value and fieldRef");
      }
    }
    return env;
  }

  /** PATH: an Alpine image's busybox applets and its declared programs; else Debian's dirs. */
  private static String path(ImageContract.Image image, Path dir) throws IOException {
    if (!image.alpine()) {
      return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    }
    Path bin = dir.resolve("bin");
    if (!Files.isDirectory(bin)) {
      Files.createDirectories(bin);
      run(List.of("busybox", "--install", "-s", bin.toString()));
      for (String command : image.commands()) {
        Path link = bin.resolve(command);
        if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          continue; // a busybox applet, as in the image
        }
        Optional<Path> host = onHostPath(command);
        if (host.isEmpty()) {
          throw new IllegalStateException(command + " is not installed on this machine");
        }
        Files.createSymbolicLink(link, host.get());
      }
    }
    return bin.toString();
  }

  private static Optional<Path> onHostPath(String command) {
    for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
      Path p = Path.of(d, command);
      if (Files.isExecutable(p) && !p.toString().equals("/usr/bin/busybox")) {
        return Optional.of(p);
      }
    }
    return command.equals("sh") ? Optional.of(Path.of("/usr/bin/busybox")) : Optional.empty();
  }

  /** uid, gid, groups and capabilities of a container's process, as containerd sets them. */
  record Identity(long uid, long gid, List<Long> groups, List<String> capabilities, boolean nnp) {
    List<String> setpriv() {
      List<String> out = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid));
      out.add(
          groups.isEmpty()
              ? "--clear-groups"
              : "--groups="
                  + groups.stream().map(String::valueOf).collect(Collectors.joining(",")));
      out.add("--inh-caps=-all");
      out.add(
          "--bounding-set=-all"
              + capabilities.stream()
                  .map(cap -> ",+" + cap.toLowerCase(Locale.ROOT))
                  .collect(Collectors.joining()));
      if (nnp) {
        out.add("--no-new-privs");
      }
      out.add("--");
      return out;
    }
  }

  private static Identity identity(PodSpec spec, Container c, ImageContract.Image image) {
    PodSecurityContext pod =
        spec.getSecurityContext() == null ? new PodSecurityContext() : spec.getSecurityContext();
    SecurityContext own =
        c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
    long uid = first(own.getRunAsUser(), pod.getRunAsUser(), image.defaultUid());
    long gid =
        first(
            own.getRunAsGroup(),
            pod.getRunAsGroup(),
            uid == image.defaultUid() ? image.defaultGid() : 0);
    boolean nonRoot =
        Boolean.TRUE.equals(first(own.getRunAsNonRoot(), pod.getRunAsNonRoot(), false));
    if (nonRoot && uid == 0) {
      throw new IllegalStateException(
          c.getName() + ": runAsNonRoot and uid 0: the kubelet refuses to start it");
    }
    if (!Boolean.TRUE.equals(own.getReadOnlyRootFilesystem())) {
      throw new IllegalStateException(
          c.getName() + ": the stand-in runs on this machine's root, read-only only");
    }
    List<Long> groups = new ArrayList<>();
    if (pod.getFsGroup() != null) {
      groups.add(pod.getFsGroup());
    }
    groups.addAll(pod.getSupplementalGroups());
    Capabilities caps = own.getCapabilities();
    List<String> added = caps == null ? List.of() : caps.getAdd();
    if (caps == null || !caps.getDrop().contains("ALL")) {
      throw new IllegalStateException(
          c.getName() + ": the stand-in knows containerd's default set only as 'drop ALL'");
    }
    return new Identity(
        uid,
        gid,
        groups,
        added,
        Boolean.FALSE.equals(own.getAllowPrivilegeEscalation()) || uid != 0);
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** The mount namespace: volumes, the image's files, passwd/group/hosts, then read-only. */
  private String setupScript(
      PodSpec spec,
      Container c,
      ImageContract.Image image,
      Identity identity,
      Node node,
      Map<String, Path> volumes,
      Path dir)
      throws IOException {
    StringBuilder sh = new StringBuilder("set -eu\nmount --make-rprivate /\n");
    List<String> writable = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>(c.getVolumeMounts());
    if (!Boolean.FALSE.equals(spec.getAutomountServiceAccountToken())
        && mounts.stream().noneMatch(m -> m.getMountPath().equals(TOKEN_DIR))) {
      mounts.add(
          new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
              .withName("kube-api-access")
              .withMountPath(TOKEN_DIR)
              .withReadOnly(true)
              .build());
    }
    mounts.sort(Comparator.comparing(m -> m.getMountPath().length()));
    for (VolumeMount m : mounts) {
      if (m.getSubPath() != null) {
        throw new IllegalArgumentException(c.getName() + ": subPath is not supported");
      }
      Path source = volumes.get(m.getName());
      if (source == null) {
        throw new IllegalArgumentException(c.getName() + " mounts unknown volume " + m.getName());
      }
      if (!source.toAbsolutePath().startsWith(work.toAbsolutePath())) {
        // A host path (e.g. under /tmp) that an earlier mount (say of /tmp) would hide: bound
        // into the pod's own directory first, as a runtime resolves sources on the host.
        Path staged = dir.resolve("stage").resolve(m.getName());
        Files.createDirectories(staged);
        sh.insert(
            sh.indexOf("\n", sh.indexOf("--make-rprivate")) + 1,
            "mount --bind " + q(source.toString()) + " " + q(staged.toString()) + "\n");
        source = staged;
      }
      sh.append(bind(source, m.getMountPath(), Boolean.TRUE.equals(m.getReadOnly())));
      if (!Boolean.TRUE.equals(m.getReadOnly())) {
        writable.add(m.getMountPath());
      }
    }
    // The image's files and links, each directory holding them replaced by the image's view.
    Path layer = dir.resolve("image");
    Map<String, List<String>> byDir = new LinkedHashMap<>();
    image.files().forEach(f -> byDir.computeIfAbsent(parent(f), k -> new ArrayList<>()).add(f));
    image
        .links()
        .keySet()
        .forEach(f -> byDir.computeIfAbsent(parent(f), k -> new ArrayList<>()).add(f));
    for (Map.Entry<String, List<String>> e : byDir.entrySet()) {
      Path target = layer.resolve(e.getKey().substring(1));
      Files.createDirectories(target);
      for (String file : e.getValue()) {
        Path inLayer = layer.resolve(file.substring(1));
        Files.deleteIfExists(inLayer);
        if (image.links().containsKey(file)) {
          Files.createSymbolicLink(inLayer, Path.of(image.links().get(file)));
        } else {
          Path from = IMAGE_FILE_SOURCES.get(file);
          if (from == null || !Files.isRegularFile(from)) {
            throw new IllegalStateException("no stand-in on this machine for " + file);
          }
          Files.copy(from, inLayer);
        }
      }
      sh.append(bind(target, e.getKey(), true));
    }
    Path etc = layer.resolve("etc");
    Files.createDirectories(etc);
    StringBuilder passwd = new StringBuilder();
    image
        .users()
        .forEach(
            (name, uid) ->
                passwd
                    .append(name)
                    .append(":x:")
                    .append(uid)
                    .append(':')
                    .append(image.groups().getOrDefault(name, uid))
                    .append("::/:/sbin/nologin\n"));
    StringBuilder group = new StringBuilder();
    image
        .groups()
        .forEach((name, gid) -> group.append(name).append(":x:").append(gid).append(":\n"));
    StringBuilder hosts =
        new StringBuilder("127.0.0.1 localhost\n" + node.address() + " " + node.name() + "\n");
    cluster
        .hosts()
        .forEach((name, address) -> hosts.append(address).append(' ').append(name).append('\n'));
    for (var f : Map.of("passwd", passwd, "group", group, "hosts", hosts).entrySet()) {
      Path file = etc.resolve(f.getKey());
      Files.writeString(file, f.getValue());
      Files.setAttribute(file, "unix:mode", 0644);
      sh.append("mount --bind ")
          .append(q(file.toString()))
          .append(" /etc/")
          .append(f.getKey())
          .append('\n');
    }
    // readOnlyRootFilesystem: all but the writable volumes (and the kernel's) read-only.
    sh.append("findmnt -rn -o TARGET | while read -r mp; do\n  case \"$mp\" in\n");
    sh.append("    /proc|/proc/*|/sys|/sys/*|/dev|/dev/*");
    writable.forEach(w -> sh.append('|').append(w));
    sh.append(") continue ;;\n  esac\n");
    sh.append(
        "  mount -o remount,bind,ro \"$mp\" 2>/dev/null || echo \"stand-in: $mp stays writable\" >&2\ndone\n");
    sh.append("exec \"$@\"\n");
    return sh.toString();
  }

  private static String bind(Path source, String target, boolean readOnly) {
    String t = q(target);
    return "mkdir -p "
        + t
        + "\nmount --bind "
        + q(source.toString())
        + " "
        + t
        + "\n"
        + (readOnly ? "mount -o remount,bind,ro " + t + "\n" : "");
  }

  private static String parent(String path) {
    return path.substring(0, path.lastIndexOf('/'));
  }

  private static String q(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  static String run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      p.destroyForcibly();
    }
  }

  /** The probe as the kubelet evaluates it: exec in the container, HTTP or TCP to the pod IP. */
  static boolean probe(Probe probe, ContainerRun run) {
    return failure(probe, run).isEmpty();
  }

  /** Why the probe fails now, if it does. */
  static Optional<String> failure(Probe probe, ContainerRun run) {
    try {
      if (probe.getExec() != null) {
        List<String> cmd =
            new ArrayList<>(List.of("nsenter", "-t", Long.toString(run.pid()), "-m", "-n", "--"));
        cmd.addAll(run.identity().setpriv());
        cmd.add("env");
        cmd.add("-i");
        run.env().forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(probe.getExec().getCommand());
        int code = exitCode(cmd);
        return code == 0
            ? Optional.empty()
            : Optional.of("exec " + probe.getExec().getCommand() + " exited with " + code);
      }
      String netns = run.node().netns();
      String host = run.node().address();
      if (probe.getTcpSocket() != null) {
        int port = port(run.container(), probe.getTcpSocket().getPort());
        int code =
            exitCode(
                List.of(
                    "ip",
                    "netns",
                    "exec",
                    netns,
                    "/usr/bin/python3",
                    "-c",
                    "import socket; socket.create_connection(('" + host + "', " + port + "), 2)"));
        return code == 0
            ? Optional.empty()
            : Optional.of("tcpSocket " + host + ":" + port + " refused");
      }
      if (probe.getHttpGet() != null) {
        int port = port(run.container(), probe.getHttpGet().getPort());
        String url = "http://" + host + ":" + port + probe.getHttpGet().getPath();
        String out =
            output(
                List.of(
                    "ip",
                    "netns",
                    "exec",
                    netns,
                    "curl",
                    "-s",
                    "-w",
                    "\n%{http_code}",
                    "--max-time",
                    "2",
                    url));
        int nl = out.lastIndexOf('\n');
        String status = out.substring(nl + 1).trim();
        int code = status.matches("[0-9]{3}") ? Integer.parseInt(status) : 0;
        String body = nl < 0 ? "" : out.substring(0, Math.min(nl, 300)).trim();
        return code >= 200 && code < 400
            ? Optional.empty()
            : Optional.of("httpGet " + url + " answered " + code + ": " + body);
      }
    } catch (IOException | NumberFormatException e) {
      return Optional.of(e.toString());
    }
    throw new IllegalArgumentException("probe " + probe);
  }

  private static int port(Container c, io.fabric8.kubernetes.api.model.IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return c.getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no port named " + port.getStrVal()))
        .getContainerPort();
  }

  private static int exitCode(List<String> command) throws IOException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String output(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).start();
    try {
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    } finally {
      p.destroyForcibly();
    }
  }

  /** One container: its process, restarted with back-off while the pod runs. */
  static final class ContainerRun {
    private final Container container;
    private final List<String> command;
    private final Path log;
    private final Identity identity;
    private final Map<String, String> env;
    private final Node node;
    private final boolean init;
    private final RunningPod pod;
    private volatile Process process;
    private volatile int restarts;
    private volatile Integer exitCode;
    private volatile boolean stopped;
    private Thread supervisor;

    ContainerRun(
        Container container,
        List<String> command,
        Path log,
        Identity identity,
        Map<String, String> env,
        Node node,
        boolean init,
        RunningPod pod) {
      this.container = container;
      this.command = command;
      this.log = log;
      this.identity = identity;
      this.env = env;
      this.node = node;
      this.init = init;
      this.pod = pod;
    }

    Container container() {
      return container;
    }

    Identity identity() {
      return identity;
    }

    Map<String, String> env() {
      return env;
    }

    Node node() {
      return node;
    }

    long pid() {
      return process.pid();
    }

    int restarts() {
      return restarts;
    }

    String log() {
      try {
        return Files.isRegularFile(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    boolean sidecarOrMain() {
      return !init || "Always".equals(container.getRestartPolicy());
    }

    void begin() throws IOException {
      process = launch();
      supervisor = new Thread(this::supervise, "kubelet-" + container.getName());
      supervisor.setDaemon(true);
      supervisor.start();
    }

    private Process launch() throws IOException {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    }

    private void supervise() {
      long backoff = 1000;
      while (!stopped) {
        try {
          int code = process.waitFor();
          if (stopped) {
            return;
          }
          if (!sidecarOrMain()) {
            exitCode = code;
            return;
          }
          synchronized (this) {
            wait(restarts == 0 ? 1 : backoff);
          }
          if (stopped) {
            return;
          }
          backoff = Math.min(backoff * 2, 8000);
          restarts++;
          Files.writeString(
              log,
              "--- stand-in: exited with " + code + ", restart " + restarts + "\n",
              java.nio.file.StandardOpenOption.APPEND);
          process = launch();
        } catch (InterruptedException e) {
          return;
        } catch (IOException e) {
          return;
        }
      }
    }

    /** A regular init container ran to completion with 0 (else the test fails with its log). */
    void awaitCompleted() throws IOException {
      try {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
          throw new IOException(container.getName() + " did not complete within 120 s: " + log());
        }
        supervisor.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (process.exitValue() != 0) {
        throw new IOException(
            "init container "
                + container.getName()
                + " exited with "
                + process.exitValue()
                + ": "
                + log());
      }
    }

    /** A sidecar's startupProbe passed within failureThreshold x periodSeconds. */
    void awaitStarted() throws IOException {
      Probe startup = container.getStartupProbe();
      if (startup == null) {
        return;
      }
      int period = startup.getPeriodSeconds() == null ? 10 : startup.getPeriodSeconds();
      int threshold = startup.getFailureThreshold() == null ? 3 : startup.getFailureThreshold();
      try {
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds((long) period * threshold))
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofSeconds(period))
            .failFast(() -> restarts > 3)
            .until(() -> probe(startup, this));
      } catch (org.awaitility.core.ConditionTimeoutException
          | org.awaitility.core.TerminalFailureException e) {
        throw new IOException(container.getName() + " never passed its startupProbe: " + log(), e);
      }
    }

    void stop() {
      stopped = true;
      synchronized (this) {
        notifyAll();
      }
      Process p = process;
      if (p != null) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
          if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** A started pod: its containers, their probes, logs and restarts. */
  public static final class RunningPod implements AutoCloseable {
    private final String name;
    private final Node node;
    private final Path dir;
    private final Map<String, ContainerRun> containers = new ConcurrentHashMap<>();

    RunningPod(String name, Node node, Path dir) {
      this.name = name;
      this.node = node;
      this.dir = dir;
    }

    void add(ContainerRun run) {
      containers.put(run.container().getName(), run);
    }

    public String name() {
      return name;
    }

    /** Every startup, readiness and liveness probe of the running containers passes now. */
    public boolean ready() {
      return failingProbes().isEmpty();
    }

    /** The probes that fail now, each with its container and why. */
    public List<String> failingProbes() {
      List<String> failing = new ArrayList<>();
      for (ContainerRun run : containers.values()) {
        if (!run.sidecarOrMain()) {
          continue;
        }
        Container c = run.container();
        for (Probe p :
            new Probe[] {c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe()}) {
          if (p != null) {
            failure(p, run).ifPresent(why -> failing.add(c.getName() + ": " + why));
          }
        }
      }
      return failing;
    }

    /** How often the container was restarted after it exited. */
    public int restarts(String container) {
      return containers.get(container).restarts();
    }

    public String log(String container) {
      return containers.get(container).log();
    }

    public long pid(String container) {
      return containers.get(container).pid();
    }

    /** /proc status lines of the container's process (Uid, Gid, Groups, Cap*, NoNewPrivs). */
    public Map<String, String> processStatus(String container) throws IOException {
      Map<String, String> status = new LinkedHashMap<>();
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(pid(container)), "status"))) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          status.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
      }
      return status;
    }

    /** Logs of every container, for a failing test's message. */
    public String logs() {
      StringBuilder out = new StringBuilder();
      containers.forEach(
          (n, run) ->
              out.append("===== ")
                  .append(n)
                  .append(" (restarts ")
                  .append(run.restarts())
                  .append(")\n")
                  .append(tail(run.log()))
                  .append('\n'));
      return out.toString();
    }

    private static String tail(String log) {
      List<String> lines = log.lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() {
      List<ContainerRun> reversed = new ArrayList<>(containers.values());
      reversed.forEach(ContainerRun::stop);
    }
  }
}
