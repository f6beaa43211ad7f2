package fineflow.activities.stages;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentDigestTest {
  /**
   * {@code cd DIR && find . -type f | sed 's|^./||' | LC_ALL=C sort | xargs sha256sum | sha256sum};
   * test_stage_runner.py asserts the same value, so Java and Python stages agree.
   */
  static final String TREE_SHA256 = "846f584e0383394ca8fdd69592693a65141d8ddf2d5d5968a68af49d297a824e";

  @TempDir
  Path dir;

  @Test
  void fileDigestIsPlainSha256() throws IOException {
    Path f = Files.writeString(dir.resolve("a.txt"), "hello\n", StandardCharsets.UTF_8);
    assertThat(ContentDigest.of(f)).isEqualTo(new ContentDigest(
        "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", 6));
  }

  @Test
  void directoryDigestIsTheSha256sumListingInByteOrder() throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    Files.createDirectories(dir.resolve("B"));
    Files.writeString(dir.resolve("a.txt"), "hello\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("sub/b.bin"), "world", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("B/empty"), "", StandardCharsets.UTF_8);
    assertThat(ContentDigest.of(dir)).isEqualTo(new ContentDigest(TREE_SHA256, 11));
  }

  @Test
  void anyChangedByteChangesTheDirectoryDigest() throws IOException {
    Files.writeString(dir.resolve("a.txt"), "hello\n", StandardCharsets.UTF_8);
    String before = ContentDigest.of(dir).sha256();
    Files.writeString(dir.resolve("a.txt"), "hellO\n", StandardCharsets.UTF_8);
    assertThat(ContentDigest.of(dir).sha256()).isNotEqualTo(before);
  }
}
