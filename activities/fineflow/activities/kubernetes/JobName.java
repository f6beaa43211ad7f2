package fineflow.activities.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The name of a stage's Job: {@code <run>-<stage>-<launch>-<hash6>}, a DNS-1123 label. The hash is
 * over the full run id, stage and launch, so two runs whose ids only differ after the truncation
 * point still get different names, and a retried launch computes the same name again.
 */
public final class JobName {
  /**
   * At most 57 characters: the Job controller names pods {@code <job>-<5 random>}, which then
   * stay within 63 characters without being cut.
   */
  public static final int MAX_LENGTH = 57;

  private JobName() {
  }

  public static String of(String runId, String stage, int launch) {
    String suffix = "-" + stage + "-" + launch + "-" + hash(runId + "/" + stage + "/" + launch);
    String run = dnsLabel(runId);
    int room = MAX_LENGTH - suffix.length();
    if (run.length() > room) {
      run = run.substring(0, room).replaceAll("-+$", "");
    }
    return run.isEmpty() ? "run" + suffix : run + suffix;
  }

  private static String dnsLabel(String s) {
    return s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-")
        .replaceAll("-{2,}", "-").replaceAll("^-+", "").replaceAll("-+$", "");
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
