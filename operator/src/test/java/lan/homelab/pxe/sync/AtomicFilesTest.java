package lan.homelab.pxe.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The modes the boot pod's readers rely on (nginx as uid 101 reads through the fsGroup 101). */
class AtomicFilesTest {
  static final int FS_GROUP = 101;

  @TempDir Path root;

  static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode") & 07777;
  }

  static int gid(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:gid");
  }

  /** The volume root as the kubelet leaves an emptyDir with fsGroup: group 101, setgid, 0777. */
  void likeAnFsGroupVolume() throws IOException {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "needs root to give the directory another group, as the kubelet does");
    Files.setAttribute(root, "unix:gid", FS_GROUP);
    Files.setAttribute(root, "unix:mode", 02777);
  }

  @Test
  void shouldGiveSecretsToTheVolumesGroupOnlyWhenWrittenBelowAnFsGroupVolume() throws IOException {
    likeAnFsGroupVolume();
    Path token = root.resolve("secrets/hook-token");

    AtomicFiles.write(token, "secret\n", AtomicFiles.SECRET);

    assertThat(mode(token)).isEqualTo(0640);
    assertThat(gid(token)).isEqualTo(FS_GROUP);
    assertThat(mode(token.getParent())).isEqualTo(AtomicFiles.DIR_MODE);
    assertThat(gid(token.getParent())).isEqualTo(FS_GROUP);
  }

  @Test
  void shouldKeepTheGroupDownNestedDirectoriesSoFilesDeepDownStayReadableByTheGroup()
      throws IOException {
    likeAnFsGroupVolume();
    Path answer = root.resolve("answers/deep/10.11.0.2.toml");

    AtomicFiles.write(answer, "x = 1\n");

    assertThat(gid(answer)).isEqualTo(FS_GROUP);
    assertThat(mode(answer)).isEqualTo(0644);
    assertThat(mode(answer.getParent()) & 02000).isEqualTo(02000);
  }

  @Test
  void shouldMakeTheSharedRunDirectoryGroupWritableForNginx() throws IOException {
    Path run = root.resolve("run/nginx");

    AtomicFiles.directory(run, AtomicFiles.SHARED_DIR_MODE);

    assertThat(mode(run)).isEqualTo(02775);
  }

  @Test
  void shouldNotTouchAFileWhoseContentIsUnchanged() throws IOException {
    Path file = root.resolve("dnsmasq/dnsmasq.conf");
    assertThat(AtomicFiles.write(file, "port=0\n")).isTrue();

    assertThat(AtomicFiles.write(file, "port=0\n")).isFalse();
    assertThat(AtomicFiles.write(file, "port=1\n")).isTrue();
    assertThat(Files.readString(file)).isEqualTo("port=1\n");
  }
}
