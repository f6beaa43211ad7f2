package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/** The names spec enums have in YAML (their {@code @JsonProperty} values). */
final class SpecEnums {
  private SpecEnums() {
  }

  static String name(Enum<?> value) {
    try {
      JsonProperty property = value.getDeclaringClass().getField(value.name()).getAnnotation(JsonProperty.class);
      return property == null ? value.name() : property.value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("an enum constant is a field of its class", e);
    }
  }

  static List<String> names(Class<?> enumType) {
    List<String> names = new ArrayList<>();
    for (Object constant : enumType.getEnumConstants()) {
      names.add(name((Enum<?>) constant));
    }
    return names;
  }
}
