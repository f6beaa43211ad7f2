package fineflow.activities.spec;

import fineflow.workflows.spec.SpecException;
import fineflow.workflows.spec.SpecProblem;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads spec files for the pure loader; an unreadable file is a spec problem like any other. */
public final class SpecFiles {
  /**
   * Far above any real spec (configs/elyza-7b-qlora-triton.yaml is 4 KiB), and small enough that a
   * pasted log or a binary answers at once instead of after a minute of YAML parsing.
   */
  public static final long MAX_BYTES = 1024 * 1024;

  private SpecFiles() {
  }

  /**
   * The file's text (UTF-8).
   *
   * @throws SpecException when the file is missing, unreadable, a directory, larger than
   *     {@link #MAX_BYTES} or not UTF-8
   */
  public static String read(Path file) {
    if (Files.isDirectory(file)) {
      throw unreadable(file, "is a directory, not a spec file");
    }
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw unreadable(file, String.format("it is %.1f MiB; a spec file may be at most %d KiB",
            size / (1024.0 * 1024.0), MAX_BYTES / 1024));
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw unreadable(file, "no such file");
    } catch (AccessDeniedException e) {
      throw unreadable(file, "permission denied");
    } catch (CharacterCodingException e) {
      throw unreadable(file, "not UTF-8 text (is it a binary file?)");
    } catch (IOException e) {
      throw unreadable(file, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private static SpecException unreadable(Path file, String why) {
    return new SpecException(file.toString(), java.util.List.of(SpecProblem.at("", "cannot read " + file + ": " + why)));
  }
}
