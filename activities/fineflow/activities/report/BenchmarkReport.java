package fineflow.activities.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a report as HTML plus a Markdown summary next to it ({@code report.html} → {@code report.md}). */
public final class BenchmarkReport {

  /** The two files written. */
  public record Written(Path html, Path markdown) {
  }

  private BenchmarkReport() {
  }

  public static Written write(ReportModel model, Path html) throws IOException {
    Path abs = html.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    String name = abs.getFileName().toString();
    String base = name.endsWith(".html") ? name.substring(0, name.length() - 5)
        : name.endsWith(".htm") ? name.substring(0, name.length() - 4) : name;
    Path md = abs.resolveSibling(base + ".md");
    Files.writeString(abs, HtmlReport.render(model), StandardCharsets.UTF_8);
    Files.writeString(md, MarkdownReport.render(model, name), StandardCharsets.UTF_8);
    return new Written(abs, md);
  }
}
