package fineflow.contracts;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The facts of one of fineflow's Dockerfiles that its containers rely on: the base image,
 * ENTRYPOINT and CMD (exec form), COPY destinations, pip-installed packages (as module names)
 * and files RUN writes with a shell redirection.
 */
record Dockerfile(String from, List<String> entrypoint, List<String> cmd, List<String> copies,
    List<String> pipPackages, List<String> createdFiles) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REDIRECT = Pattern.compile(">\\s*(/[^\\s;&|]+)");

  static Dockerfile parse(String text) {
    String from = null;
    List<String> entrypoint = List.of();
    List<String> cmd = List.of();
    List<String> copies = new ArrayList<>();
    List<String> pip = new ArrayList<>();
    List<String> created = new ArrayList<>();
    for (String instruction : instructions(text)) {
      String[] parts = instruction.split("\\s+", 2);
      String keyword = parts[0].toUpperCase(java.util.Locale.ROOT);
      String rest = parts.length > 1 ? parts[1].strip() : "";
      switch (keyword) {
        case "FROM" -> from = rest.split("\\s+")[0];
        case "ENTRYPOINT" -> entrypoint = execForm(rest);
        case "CMD" -> cmd = execForm(rest);
        case "COPY" -> {
          String[] args = rest.split("\\s+");
          String dest = args[args.length - 1];
          String source = args[args.length - 2];
          copies.add(dest.endsWith("/") ? dest + source.substring(source.lastIndexOf('/') + 1) : dest);
        }
        case "RUN" -> {
          pip.addAll(pipPackages(rest));
          Matcher m = REDIRECT.matcher(rest);
          while (m.find()) {
            if (!m.group(1).startsWith("/dev/")) {
              created.add(m.group(1));
            }
          }
        }
        default -> {
          // ENV, USER, WORKDIR: nothing a container's argv depends on here.
        }
      }
    }
    return new Dockerfile(from, entrypoint, cmd, copies, pip, created);
  }

  /** Instructions with line continuations joined and comments dropped. */
  private static List<String> instructions(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.startsWith("#") || (l.isEmpty() && current.length() == 0)) {
        continue;
      }
      boolean continues = l.endsWith("\\");
      current.append(continues ? l.substring(0, l.length() - 1) : l).append(' ');
      if (!continues) {
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    if (current.length() > 0) {
      out.add(current.toString().strip());
    }
    return out;
  }

  private static List<String> execForm(String json) {
    try {
      List<String> out = new ArrayList<>();
      JSON.readTree(json).forEach(n -> out.add(n.asText()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("not an exec-form (JSON) instruction: " + json, e);
    }
  }

  /** {@code pip install [options] pkg==v ...} up to the next {@code &&}, as module names. */
  private static List<String> pipPackages(String run) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("pip install\\s+([^&;|]*)").matcher(run);
    while (m.find()) {
      for (String token : m.group(1).trim().split("\\s+")) {
        if (token.isEmpty() || token.startsWith("-")) {
          continue;
        }
        out.add(token.split("[=<>!~\\[]")[0].toLowerCase(java.util.Locale.ROOT).replace('-', '_'));
      }
    }
    return out;
  }
}
