package fineflow.activities.stages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * sha256 and size of a file, or of a directory tree. A directory's digest is the sha256 of the
 * text {@code "<file sha256>  <relative path>\n"} over its regular files sorted by the UTF-8 bytes
 * of their '/'-separated relative paths — what {@code find . -type f | LC_ALL=C sort | sha256sum}
 * style listings give, and exactly what {@code stage_runner.py} computes, so Java and Python
 * stages report comparable digests. Its size is the sum of the file sizes.
 */
public record ContentDigest(String sha256, long sizeBytes) {

  public static ContentDigest of(Path path) {
    try {
      if (Files.isDirectory(path)) {
        return ofDirectory(path);
      }
      return new ContentDigest(HexFormat.of().formatHex(fileSha256(path)), Files.size(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot digest " + path + ": " + e.getMessage(), e);
    }
  }

  private static ContentDigest ofDirectory(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).forEach(files::add);
    }
    List<String> relative = new ArrayList<>();
    for (Path file : files) {
      relative.add(dir.relativize(file).toString().replace(dir.getFileSystem().getSeparator(), "/"));
    }
    relative.sort((a, b) -> Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    MessageDigest listing = newSha256();
    long size = 0;
    for (String rel : relative) {
      Path file = dir.resolve(rel);
      String line = HexFormat.of().formatHex(fileSha256(file)) + "  " + rel + "\n";
      listing.update(line.getBytes(StandardCharsets.UTF_8));
      size += Files.size(file);
    }
    return new ContentDigest(HexFormat.of().formatHex(listing.digest()), size);
  }

  private static byte[] fileSha256(Path file) throws IOException {
    MessageDigest md = newSha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        md.update(buffer, 0, n);
      }
    }
    return md.digest();
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
