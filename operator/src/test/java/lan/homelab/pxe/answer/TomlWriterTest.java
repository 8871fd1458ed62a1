package lan.homelab.pxe.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TomlWriterTest {
  private static Map<String, Object> roundTrip(Map<String, Object> tree) {
    AnswerTree.Parsed parsed = AnswerTree.parse(TomlWriter.write(tree), "toml");
    assertThat(parsed.problems()).isEmpty();
    return parsed.tree();
  }

  @Test
  void shouldEscapeStringsSoTheyParseBackUnchanged() {
    Map<String, Object> tree = new TreeMap<>();
    AnswerTree.put(tree, "quote \" backslash \\ tab \t newline \n unicode é ✓", "global", "mailto");
    AnswerTree.put(tree, "$6$a/b.c$d", "global", "root-password-hashed");
    assertThat(roundTrip(tree)).isEqualTo(tree);
  }

  @Test
  void shouldQuoteKeysThatAreNotBare() {
    Map<String, Object> tree = new TreeMap<>();
    AnswerTree.put(
        tree, "lan0", "network", "interface-name-pinning", "mapping", "24:8a:07:1e:05:bc");
    AnswerTree.put(tree, "x", "network", "filter", "a.b c");
    String toml = TomlWriter.write(tree);
    assertThat(toml).contains("\"24:8a:07:1e:05:bc\" = \"lan0\"").contains("\"a.b c\" = \"x\"");
    assertThat(roundTrip(tree)).isEqualTo(tree);
  }

  @Test
  void shouldKeepIntegersFloatsBooleansAndLists() {
    Map<String, Object> tree = new TreeMap<>();
    AnswerTree.put(tree, 80L, "disk-setup", "zfs", "hdsize");
    AnswerTree.put(tree, 16.5, "disk-setup", "lvm", "swapsize");
    AnswerTree.put(tree, 1.0E12, "disk-setup", "lvm", "hdsize");
    AnswerTree.put(tree, true, "global", "reboot-on-error");
    AnswerTree.put(tree, List.of("sda", "sdb"), "disk-setup", "disk-list");
    assertThat(roundTrip(tree)).isEqualTo(tree);
    assertThat(TomlWriter.write(tree)).contains("swapsize = 16.5").contains("hdsize = 80\n");
  }

  @Test
  void shouldWriteSectionsInTheInstallersOrderAndKeysSorted() {
    Map<String, Object> tree = new TreeMap<>();
    AnswerTree.put(tree, "from-iso", "first-boot", "source");
    AnswerTree.put(tree, "ext4", "disk-setup", "filesystem");
    AnswerTree.put(tree, "from-dhcp", "network", "source");
    AnswerTree.put(tree, "de", "global", "keyboard");
    AnswerTree.put(tree, "at", "global", "country");
    assertThat(TomlWriter.write(tree))
        .isEqualTo(
            """
            [global]
            country = "at"
            keyboard = "de"

            [network]
            source = "from-dhcp"

            [disk-setup]
            filesystem = "ext4"

            [first-boot]
            source = "from-iso"
            """);
  }
}
