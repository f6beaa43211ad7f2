package fineflow.activities.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The image contracts shipped in the jar ({@value #RESOURCE}): the dev node resolves a pod's
 * effective argv and what its mounts hide with them, and the contract test holds every planned
 * container to them.
 */
public final class ImageContracts {
  public static final String RESOURCE = "/fineflow/contracts/images.json";
  private static final ObjectMapper JSON = Json.mapper();

  private final List<ImageContract> contracts;

  public ImageContracts(List<ImageContract> contracts) {
    this.contracts = List.copyOf(contracts);
  }

  /** @throws IllegalStateException when the resource is missing or malformed (a broken build) */
  public static ImageContracts fromClasspath() {
    try (InputStream in = ImageContracts.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the jar");
      }
      return parse(JSON.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ImageContracts parse(JsonNode root) {
    List<ImageContract> list = new ArrayList<>();
    for (JsonNode n : root.path("images")) {
      List<ImageProgram> programs = new ArrayList<>();
      for (JsonNode p : n.path("programs")) {
        programs.add(new ImageProgram(p.path("name").asText(), p.path("path").asText(),
            strings(p.path("needs"))));
      }
      List<String> paths = new ArrayList<>();
      n.path("paths").forEach(p -> paths.add(p.path("path").asText()));
      List<String> modules = new ArrayList<>();
      n.path("modules").forEach(m -> modules.add(m.path("name").asText()));
      list.add(new ImageContract(n.path("name").asText(), text(n, "own"), text(n, "repository"),
          text(n, "tagSuffix"), text(n, "base"), strings(n.path("entrypoint").path("value")),
          strings(n.path("cmd").path("value")), programs, paths, modules));
    }
    return new ImageContracts(list);
  }

  public List<ImageContract> all() {
    return contracts;
  }

  /** The contract of {@code image}, with its base image's programs, paths and modules. */
  public Optional<ImageContract> forImage(String image) {
    return contracts.stream().filter(c -> c.describes(image)).findFirst().map(c -> {
      if (c.base() == null) {
        return c;
      }
      ImageContract base = contracts.stream()
          .filter(b -> b.own() == null && baseMatches(b, c.base()))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("image contract " + c.name()
              + " names base " + c.base() + ", which has no contract"));
      return c.over(base);
    });
  }

  /** A base is written as a repository, or as {@code repository:*suffix}. */
  private static boolean baseMatches(ImageContract candidate, String base) {
    int star = base.indexOf(":*");
    String repository = star < 0 ? base : base.substring(0, star);
    String suffix = star < 0 ? null : base.substring(star + 2);
    return candidate.repository().equals(repository)
        && (suffix == null || suffix.equals(candidate.tagSuffix()));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }
}
