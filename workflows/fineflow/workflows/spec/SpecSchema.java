package fineflow.workflows.spec;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON Schema of the spec, generated from the records (victools jsonschema-generator), so editors
 * can check specs as they are typed. victools 5 is built on Jackson 3 ({@code tools.jackson});
 * that stays inside this class, the rest of the spec code is on Jackson 2.
 */
public final class SpecSchema {
  /** Fields a spec must set; everything else has a default. */
  private static final Set<String> REQUIRED = Set.of("PipelineSpec.metadata", "PipelineSpec.model",
      "Metadata.name", "ModelSpec.id", "DatasetSpec.path");
  private static final Map<String, List<String>> CONSTANTS = Map.of(
      "PipelineSpec.apiVersion", List.of(PipelineSpec.API_VERSION),
      "PipelineSpec.kind", List.of(PipelineSpec.KIND));

  private SpecSchema() {
  }

  public static String generate() {
    SchemaGeneratorConfigBuilder config =
        new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
            .with(new JacksonModule(JacksonOption.FLATTENED_ENUMS_FROM_JSONPROPERTY,
                JacksonOption.RESPECT_JSONPROPERTY_ORDER))
            .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT,
                Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES);
    config.forFields()
        .withRequiredCheck(field -> REQUIRED.contains(key(field)))
        .withEnumResolver(field -> CONSTANTS.get(key(field)))
        .withDefaultResolver(SpecSchema::defaultValue);
    tools.jackson.databind.node.ObjectNode schema =
        new SchemaGenerator(config.build()).generateSchema(PipelineSpec.class);
    schema.put("title", "fineflow pipeline spec (" + PipelineSpec.API_VERSION + ", kind " + PipelineSpec.KIND + ")");
    return schema.toPrettyString();
  }

  private static String key(FieldScope field) {
    return field.getDeclaringType().getErasedType().getSimpleName() + "." + field.getName();
  }

  /** The value a record's constructor fills in when the field is left out (scalars only). */
  private static Object defaultValue(FieldScope field) {
    Class<?> owner = field.getDeclaringType().getErasedType();
    if (!owner.isRecord() || owner == PipelineSpec.class) {
      return null;
    }
    try {
      Object defaults = SpecBinder.mapper().convertValue(JsonNodeFactory.instance.objectNode(), owner);
      Object value = owner.getMethod(field.getName()).invoke(defaults);
      if (value instanceof Enum<?> e) {
        return SpecEnums.name(e);
      }
      boolean scalar = value instanceof Number || value instanceof Boolean || value instanceof String;
      return scalar && !(value instanceof String s && s.isEmpty()) ? value : null;
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException
        | IllegalArgumentException e) {
      return null;
    }
  }
}
