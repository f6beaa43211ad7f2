package fineflow.activities.stages.datasetprep;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.activities.stages.StageInputException;
import fineflow.workflows.format.Json;
import fineflow.workflows.spec.DatasetFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a dataset file as a JSON array or as JSONL, keeping each record's line. A malformed JSON
 * array cannot be read past the error, so it fails the stage whatever the policy; in JSONL a bad
 * line is one bad record, which the policy may skip.
 */
final class DatasetReader {
  private static final ObjectMapper ARRAY = Json.noDuplicateKeys();
  /** One record per line: anything after the record on its line is an error. */
  private static final ObjectMapper LINE = Json.oneValueNoDuplicateKeys();
  private static final Pattern SOURCE = Pattern.compile("\\[Source: [^;]*; ");

  private DatasetReader() {
  }

  static DatasetReadout read(Path file, DatasetFormat format) {
    if (Files.isSymbolicLink(file)) {
      // A link can lead off the workspace volume (to /etc/passwd, say), and the first records
      // of a bad file travel into the pause message and the run's history.
      throw new StageInputException(file + " is a symbolic link; dataset-prep reads only regular files"
          + " on the workspace volume: copy the data there instead of linking to it");
    }
    try {
      return format == DatasetFormat.JSON ? readArray(file) : readLines(file);
    } catch (NoSuchFileException e) {
      throw new StageInputException("dataset file not found: " + file);
    } catch (CharacterCodingException e) {
      throw new StageInputException(file + ": not valid UTF-8 text");
    } catch (IOException e) {
      throw new StageInputException("cannot read dataset " + file + ": " + e.getMessage());
    }
  }

  private static DatasetReadout readArray(Path file) throws IOException {
    List<RawRecord> records = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file); JsonParser p = ARRAY.createParser(in)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_ARRAY) {
        JsonLocation at = p.currentTokenLocation();
        throw new StageInputException(file + " (line " + at.getLineNr() + ", column "
            + at.getColumnNr() + "): expected a JSON array of records (format json)"
            + (first == JsonToken.START_OBJECT ? "; for one record per line use format jsonl" : ""));
      }
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        if (t == null) {
          throw malformed(file, p.currentLocation(), "the array is not closed");
        }
        int line = p.currentTokenLocation().getLineNr();
        JsonNode value = p.readValueAsTree();
        records.add(new RawRecord(records.size(), line, value));
      }
      JsonToken after = p.nextToken();
      if (after != null) {
        throw malformed(file, p.currentTokenLocation(), "unexpected content after the array");
      }
    } catch (JsonProcessingException e) {
      throw malformed(file, e.getLocation(), clean(e.getOriginalMessage()));
    }
    return new DatasetReadout(records, List.of());
  }

  private static DatasetReadout readLines(Path file) throws IOException {
    List<RawRecord> records = new ArrayList<>();
    List<DatasetProblem> problems = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNr = 0;
      int index = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNr++;
        if (lineNr == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        try {
          records.add(new RawRecord(index, lineNr, LINE.readTree(line)));
        } catch (JsonProcessingException e) {
          int column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
          problems.add(new DatasetProblem(index, lineNr, Math.max(column, 1),
              ProblemKind.MALFORMED_JSON, clean(e.getOriginalMessage())));
        }
        index++;
      }
    }
    return new DatasetReadout(records, problems);
  }

  /** Jackson names the source in nested locations; the problem already says which file. */
  private static String clean(String message) {
    return SOURCE.matcher(message).replaceAll("[");
  }

  private static StageInputException malformed(Path file, JsonLocation at, String why) {
    String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    String message = file + where + ": malformed JSON: " + why;
    return new StageInputException(message, List.of(message));
  }
}
