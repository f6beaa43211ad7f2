package fineflow.workflows.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each named variant differs from Jackson's defaults in what its name says, and only there. */
class JsonTest {
  record Point(int x) {
  }

  record Times(Instant at, Duration took, Optional<String> note) {
  }

  private static final Map<String, Integer> UNSORTED = new LinkedHashMap<>(Map.of("b", 2));

  static {
    UNSORTED.put("a", 1);
  }

  @Test
  void theDefaultsFailOnUnknownPropertiesAndIgnoringUnknownSkipsThem() throws Exception {
    assertThatThrownBy(() -> Json.mapper().readValue("{\"x\":1,\"y\":2}", Point.class))
        .isInstanceOf(UnrecognizedPropertyException.class);
    assertThat(Json.ignoringUnknown().readValue("{\"x\":1,\"y\":2}", Point.class)).isEqualTo(new Point(1));
  }

  @Test
  void onlyPrettyVariantsIndent() throws Exception {
    assertThat(Json.mapper().writeValueAsString(new Point(1))).isEqualTo("{\"x\":1}");
    assertThat(Json.pretty().writeValueAsString(new Point(1))).isEqualTo("{\n  \"x\" : 1\n}");
  }

  @Test
  void sortedMapsWritesKeysInOrder() throws Exception {
    assertThat(Json.mapper().writeValueAsString(UNSORTED)).isEqualTo("{\"b\":2,\"a\":1}");
    assertThat(Json.sortedMaps().writeValueAsString(UNSORTED)).isEqualTo("{\"a\":1,\"b\":2}");
  }

  @Test
  void prettyIsoTimesWritesIsoStringsAndUnwrapsOptionals() throws Exception {
    Times t = new Times(Instant.parse("2026-01-02T03:04:05Z"), Duration.ofSeconds(90), Optional.of("n"));

    assertThat(Json.prettyIsoTimes().writeValueAsString(t)).isEqualTo(
        "{\n  \"at\" : \"2026-01-02T03:04:05Z\",\n  \"took\" : \"PT1M30S\",\n  \"note\" : \"n\"\n}");
  }

  @Test
  void noDuplicateKeysRejectsARepeatedKeyTheDefaultsLetWin() throws Exception {
    assertThat(Json.mapper().readTree("{\"a\":1,\"a\":2}").get("a").asInt()).isEqualTo(2);
    assertThatThrownBy(() -> Json.noDuplicateKeys().readTree("{\"a\":1,\"a\":2}"))
        .isInstanceOf(JsonParseException.class).hasMessageContaining("Duplicate field 'a'");
    assertThat(Json.noDuplicateKeys().readTree("{\"a\":1} {").get("a").asInt()).isEqualTo(1);
  }

  @Test
  void oneValueNoDuplicateKeysAlsoRejectsTrailingTokens() {
    assertThatThrownBy(() -> Json.oneValueNoDuplicateKeys().readTree("{\"a\":1} 2"))
        .isInstanceOf(MismatchedInputException.class).hasMessageContaining("Trailing token");
    assertThatThrownBy(() -> Json.oneValueNoDuplicateKeys().readTree("{\"a\":1,\"a\":2}"))
        .isInstanceOf(JsonParseException.class);
  }

  @Test
  void specCanonicalSortsPropertiesAndLeavesOutNulls() throws Exception {
    record Spec(String zeta, String alpha, Map<String, Integer> map) {
    }

    assertThat(Json.specCanonical().writeValueAsString(new Spec("z", null, UNSORTED)))
        .isEqualTo("{\"map\":{\"a\":1,\"b\":2},\"zeta\":\"z\"}");
  }

  @Test
  void specBindingRejectsFloatsForIntegersButNotUnknownKeys() throws Exception {
    assertThat(Json.specBinding().readValue("{\"x\":1,\"y\":2}", Point.class)).isEqualTo(new Point(1));
    assertThatThrownBy(() -> Json.specBinding().readValue("{\"x\":2.5}", Point.class))
        .isInstanceOf(MismatchedInputException.class);
    assertThat(Json.mapper().readValue("{\"x\":2.5}", Point.class)).isEqualTo(new Point(2));
  }
}
