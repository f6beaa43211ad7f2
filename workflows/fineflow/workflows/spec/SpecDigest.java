package fineflow.workflows.spec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content identity of a spec: sha256 of its canonical JSON, independent of YAML key order. */
public final class SpecDigest {
  private SpecDigest() {
  }

  public static String of(PipelineSpec spec) {
    return sha256Hex(SpecJson.canonical(spec));
  }

  static String sha256Hex(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
