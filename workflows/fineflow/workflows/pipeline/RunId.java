package fineflow.workflows.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Run ids, which are also workflow ids and prefixes of the run's Kubernetes object names:
 * {@code <pipeline-name>-<8 hex>}, at most {@value #MAX_LENGTH} characters so that
 * {@code <run>-<stage>-<launch>} stays a valid 63-character object name.
 */
public final class RunId {
  public static final int MAX_LENGTH = 40;
  private static final int HASH_LENGTH = 8;
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private RunId() {
  }

  /**
   * A new run id. The same spec submitted twice gets two ids because the client supplies a
   * fresh {@code nonce} (e.g. the submit time); the hash keeps the id short and the spec
   * digest in it makes ids of different specs differ even with equal nonces.
   */
  public static String of(String pipelineName, String specDigest, String nonce) {
    String name = pipelineName == null || pipelineName.isBlank() ? "pipeline" : pipelineName;
    String hash = sha256(specDigest + ":" + nonce).substring(0, HASH_LENGTH);
    String prefix = name.length() > MAX_LENGTH - HASH_LENGTH - 1
        ? name.substring(0, MAX_LENGTH - HASH_LENGTH - 1) : name;
    prefix = prefix.endsWith("-") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return requireValid(prefix + "-" + hash);
  }

  /** A user-given id, checked: a DNS-1123 label of at most {@value #MAX_LENGTH} characters. */
  public static String requireValid(String runId) {
    if (runId == null || runId.length() > MAX_LENGTH || !DNS_LABEL.matcher(runId).matches()) {
      throw new IllegalArgumentException("run id '" + runId + "' must be lower-case letters,"
          + " digits and '-', start and end with a letter or digit, and be at most "
          + MAX_LENGTH + " characters");
    }
    return runId;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
