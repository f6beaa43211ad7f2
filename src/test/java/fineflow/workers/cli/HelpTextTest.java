package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The help a user reads: every word of every description appears whole (no "http:" / "//…" or
 * "dev." / "json" hard wraps), the command list shows each header whole, and every command
 * says its exit codes.
 */
class HelpTextTest {
  private static Map<String, CommandLine> commands() {
    return Main.commandLine().getSubcommands();
  }

  private static List<String> words(CommandSpec spec) {
    List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
    texts.addAll(List.of(spec.usageMessage().header()));
    for (ArgSpec arg : spec.args()) {
      texts.addAll(List.of(arg.description()));
    }
    List<String> words = new ArrayList<>();
    for (String text : texts) {
      for (String w : text.replaceAll("\\$\\{[A-Z-]+}", " ").split("\\s+")) {
        // Words longer than an option's description column cannot fit on one line anywhere.
        if (w.length() > 2 && w.length() <= 40) {
          words.add(w);
        }
      }
    }
    return words;
  }

  @Test
  void noWordIsBrokenAcrossLines() {
    List<String> broken = new ArrayList<>();
    commands().forEach((name, cl) -> {
      if (name.equals("help")) {
        return;
      }
      String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
      for (String word : words(cl.getCommandSpec())) {
        if (!help.contains(word)) {
          broken.add(name + ": " + word);
        }
      }
    });
    assertThat(broken).isEmpty();
  }

  @Test
  void theCommandListShowsEveryHeaderWhole() {
    String list = Main.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
    commands().forEach((name, cl) -> {
      // The list shows a header's first line only: a header is one line.
      String[] header = cl.getCommandSpec().usageMessage().header();
      if (!name.equals("help")) {
        assertThat(header).as(name).hasSize(1);
        assertThat(list).as(name).contains(header[0].replaceAll("\\s+", " "));
      }
    });
  }

  @Test
  void everyCommandListsItsExitCodes() {
    List<String> without = new ArrayList<>();
    commands().forEach((name, cl) -> {
      if (!name.equals("help") && !cl.getUsageMessage(CommandLine.Help.Ansi.OFF).contains("Exit codes:")) {
        without.add(name);
      }
    });
    assertThat(without).isEmpty();
  }
}
