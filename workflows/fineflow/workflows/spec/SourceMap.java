package fineflow.workflows.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Where each field path of a YAML spec was written, from one pass over the YAML event stream
 * (Jackson's tree keeps no positions). A key's position is where the key starts, a list item's
 * where the item starts. The same pass finds what Jackson would silently accept: duplicate keys
 * (the last one would win) and extra YAML documents (they would be ignored).
 */
final class SourceMap {
  private final Map<String, int[]> positions = new HashMap<>();
  private final List<SpecProblem> problems = new ArrayList<>();
  private int aliases;

  private SourceMap() {
  }

  /** Call only with YAML that Jackson has already parsed without error. */
  static SourceMap of(String yaml) {
    SourceMap map = new SourceMap();
    Parser parser = new ParserImpl(new StreamReader(yaml), new LoaderOptions());
    int documents = 0;
    while (!parser.checkEvent(Event.ID.StreamEnd)) {
      Event event = parser.getEvent();
      if (event.is(Event.ID.DocumentStart)) {
        documents++;
        if (documents > 1) {
          map.problems.add(map.positioned(new SpecProblem("", 0, 0,
              "only one YAML document is allowed in a spec file (found another '---' document)"),
              event.getStartMark()));
          break;
        }
        if (!parser.checkEvent(Event.ID.DocumentEnd)) {
          map.put("", parser.peekEvent().getStartMark());
          map.node(parser, "");
        }
      }
    }
    return map;
  }

  /** Duplicate keys, extra documents and the first alias, with positions. */
  List<SpecProblem> problems() {
    if (aliases > 1) {
      List<SpecProblem> counted = new ArrayList<>();
      for (SpecProblem p : problems) {
        counted.add(p.message().startsWith("YAML aliases")
            ? new SpecProblem(p.path(), p.line(), p.column(), p.message() + " (" + aliases + " aliases in the file)") : p);
      }
      return List.copyOf(counted);
    }
    return List.copyOf(problems);
  }

  /** A spec with aliases is not checked further: what they stand for was never bound. */
  boolean hasAliases() {
    return aliases > 0;
  }

  /**
   * The problem with the position of its path, or of the nearest enclosing field written in the
   * YAML when the path itself was not (a defaulted value), or unchanged when neither was.
   * Problems of the whole spec (path "") point at its start.
   */
  SpecProblem locate(SpecProblem problem) {
    if (problem.hasPosition()) {
      return problem;
    }
    // The document itself (path "") is no useful position for a missing top-level section.
    for (String path = problem.path(); !path.isEmpty(); path = parent(path)) {
      int[] at = positions.get(path);
      if (at != null) {
        return problem.withPosition(at[0], at[1]);
      }
    }
    int[] root = positions.get("");
    return problem.path().isEmpty() && root != null ? problem.withPosition(root[0], root[1]) : problem;
  }

  boolean contains(String path) {
    return positions.containsKey(path);
  }

  private void node(Parser parser, String path) {
    Event event = parser.getEvent();
    if (event.is(Event.ID.MappingStart)) {
      while (!parser.checkEvent(Event.ID.MappingEnd)) {
        Event key = parser.peekEvent();
        if (key instanceof ScalarEvent scalar) {
          parser.getEvent();
          String child = SpecPath.child(path, scalar.getValue());
          if (positions.containsKey(child)) {
            problems.add(positioned(SpecProblem.at(child,
                "duplicate key \"" + scalar.getValue() + "\" (the later value would silently win)"),
                key.getStartMark()));
          } else {
            put(child, key.getStartMark());
          }
          node(parser, child);
        } else {
          // A complex (non-scalar) key: Jackson rejects it later; skip key and value here.
          node(parser, path);
          node(parser, path);
        }
      }
      parser.getEvent();
    } else if (event.is(Event.ID.SequenceStart)) {
      int index = 0;
      while (!parser.checkEvent(Event.ID.SequenceEnd)) {
        String child = SpecPath.index(path, index++);
        put(child, parser.peekEvent().getStartMark());
        node(parser, child);
      }
      parser.getEvent();
    }
    if (event.is(Event.ID.Alias) && aliases++ == 0) {
      // Jackson binds an alias as its bare name, so say what happened instead; once, since a
      // file of aliases (an "alias bomb") would otherwise print a line for each.
      problems.add(positioned(SpecProblem.at(path, "YAML aliases (*name) are not supported in specs;"
          + " write the value out"), event.getStartMark()));
    }
  }

  private void put(String path, Mark mark) {
    positions.putIfAbsent(path, new int[] {mark.getLine() + 1, mark.getColumn() + 1});
  }

  private SpecProblem positioned(SpecProblem problem, Mark mark) {
    return problem.withPosition(mark.getLine() + 1, mark.getColumn() + 1);
  }

  private static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    if (path.endsWith("\"]")) {
      cut = path.lastIndexOf("[\"");
    }
    return cut <= 0 ? "" : path.substring(0, cut);
  }
}
