package io.parley.api;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the contract validator's refusal of a request (vertx-openapi's {@link ValidatorException},
 * with the JSON Schema output unit of a {@link SchemaValidationException}) into
 * {@code VALIDATION_FAILED} that names the field and what it allows, read from the operation's
 * schema in the contract: {@code "limit must be at most 100 (allowed: 1 to 100)"} with
 * {@code details: {field, in, keyword, minimum, maximum, ...}}.
 *
 * <p>{@code field} is a parameter's name, or for a body field its path ({@code name},
 * {@code meta.tags[1]}); {@code in} is {@code path}, {@code query}, {@code header},
 * {@code cookie} or {@code body}; {@code keyword} is the JSON Schema keyword the value broke
 * ({@code maximum}, {@code maxLength}, {@code type}, {@code required}, ...). The schema's bounds
 * that apply to the field come along under snake_case names: {@code minimum}, {@code maximum},
 * {@code exclusive_minimum}, {@code exclusive_maximum}, {@code min_length}, {@code max_length},
 * {@code min_items}, {@code max_items}, {@code pattern}, {@code allowed} (an enum),
 * {@code type}, {@code format}. {@code error} keeps the validator's own words; for a body,
 * {@code pointer} is the JSON pointer of the value ({@code #/name}).
 */
final class ValidationProblems {
  private ValidationProblems() {}

  /** The bounds a schema may state, by keyword, with their names in {@code details}. */
  private static final Map<String, String> BOUNDS = Map.ofEntries(
      Map.entry("minimum", "minimum"), Map.entry("maximum", "maximum"),
      Map.entry("exclusiveMinimum", "exclusive_minimum"), Map.entry("exclusiveMaximum", "exclusive_maximum"),
      Map.entry("minLength", "min_length"), Map.entry("maxLength", "max_length"),
      Map.entry("minItems", "min_items"), Map.entry("maxItems", "max_items"),
      Map.entry("pattern", "pattern"), Map.entry("enum", "allowed"), Map.entry("type", "type"),
      Map.entry("format", "format"));

  private static final Pattern REQUIRED_PROPERTY = Pattern.compile("required property \"(.*)\"");

  /** The first {@link ValidatorException} in {@code failure}'s causes (the router wraps it in a 400), or null. */
  static ValidatorException find(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ValidatorException ve) {
        return ve;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The problem for a refusal of a request to {@code operation} (null: the field is named from the exception alone). */
  static ParleyException of(ValidatorException ve, Operation operation) {
    if (ve.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT) {
      // the one unsupported format our contract can meet is a request body's media type
      return new ParleyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
    }
    String message = ve.getMessage() == null ? "" : ve.getMessage();
    OutputUnit unit = ve instanceof SchemaValidationException sve ? leaf(sve.getOutputUnit()) : null;
    Parameter parameter = parameterOf(message, operation);
    if (parameter == null && unit != null && bodySchema(operation).isEmpty()) {
      parameter = parameterWith(unit, operation); // e.g. an empty list, which vertx-openapi calls a missing body
    }
    if (parameter != null) {
      if (unit == null) {
        return ve.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER
            ? invalid(parameter.getName() + " is required",
                new JsonObject().put("field", parameter.getName()).put("in", in(parameter)).put("keyword", "required"))
            : invalid(parameter.getName() + " is malformed",
                new JsonObject().put("field", parameter.getName()).put("in", in(parameter)).put("error", message));
      }
      JsonObject schema = parameter.getOpenAPIModel().getJsonObject("schema", new JsonObject());
      return describe(parameter.getName() + fieldPath(unit.getInstanceLocation()), in(parameter), schema, unit, message);
    }
    if (message.contains("request body")) {
      return unit == null || ve.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER
          ? invalid("a JSON body is required", new JsonObject().put("field", "body").put("in", "body").put("keyword", "required"))
          : describe(null, "body", bodySchema(operation), unit, message);
    }
    return new ParleyException(ErrorCode.VALIDATION_FAILED, message.isEmpty() ? "the request is malformed" : message);
  }

  /** The one parameter of the operation whose schema holds the keyword that failed, or null. */
  private static Parameter parameterWith(OutputUnit unit, Operation operation) {
    List<String> steps = pointer(unit.getKeywordLocation());
    if (operation == null || steps.isEmpty()) {
      return null;
    }
    String keyword = steps.remove(steps.size() - 1);
    Parameter found = null;
    for (Parameter p : operation.getParameters()) {
      JsonObject at = walk(p.getOpenAPIModel().getJsonObject("schema", new JsonObject()), steps);
      if (at != null && at.containsKey(keyword)) {
        if (found != null) {
          return null;
        }
        found = p;
      }
    }
    return found;
  }

  /** The operation's parameter that {@code message} (vertx-openapi's words) is about, or null. */
  private static Parameter parameterOf(String message, Operation operation) {
    if (operation == null) {
      return null;
    }
    for (Parameter p : operation.getParameters()) {
      String said = " " + in(p) + " parameter " + p.getName();
      int at = message.indexOf(said);
      int end = at + said.length();
      if (at >= 0 && (end == message.length() || message.charAt(end) == ' ' || message.charAt(end) == '.')) {
        return p;
      }
    }
    return null;
  }

  private static String in(Parameter p) {
    return p.getIn().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static JsonObject bodySchema(Operation operation) {
    if (operation == null || operation.getRequestBody() == null) {
      return new JsonObject();
    }
    MediaType json = operation.getRequestBody().getContent().get("application/json");
    return json == null ? new JsonObject() : json.getOpenAPIModel().getJsonObject("schema", new JsonObject());
  }

  /**
   * The error that says most: the first one that no later error refines (a deeper keyword, e.g.
   * {@code #/properties/name/maxLength} after {@code #/properties}).
   */
  private static OutputUnit leaf(OutputUnit unit) {
    if (unit == null) {
      return null;
    }
    List<OutputUnit> errors = unit.getErrors();
    if (errors == null || errors.isEmpty()) {
      return unit.getKeywordLocation() == null ? null : unit;
    }
    for (int i = 0; i < errors.size(); i++) {
      String at = String.valueOf(errors.get(i).getKeywordLocation());
      boolean refined = false;
      for (int j = i + 1; j < errors.size() && !refined; j++) {
        refined = String.valueOf(errors.get(j).getKeywordLocation()).startsWith(at + "/");
      }
      if (!refined) {
        return errors.get(i);
      }
    }
    return errors.get(errors.size() - 1);
  }

  /**
   * The problem for one failed keyword: {@code schema} is the parameter's or the body's; the
   * unit's keyword location leads to the keyword and the schema of the field that holds it.
   */
  private static ParleyException describe(String field, String in, JsonObject schema, OutputUnit unit, String message) {
    if (unit == null) {
      return new ParleyException(ErrorCode.VALIDATION_FAILED, message,
          field == null ? null : new JsonObject().put("field", field).put("in", in));
    }
    List<String> steps = pointer(unit.getKeywordLocation());
    String keyword = steps.isEmpty() ? null : steps.remove(steps.size() - 1);
    JsonObject fieldSchema = walk(schema, steps);
    String name = field != null ? field : fieldPath(unit.getInstanceLocation());
    if ("required".equals(keyword)) {
      Matcher m = REQUIRED_PROPERTY.matcher(String.valueOf(unit.getError()));
      String property = m.find() ? m.group(1) : null;
      String at = fieldPath(unit.getInstanceLocation());
      name = property == null ? at : at.isEmpty() ? property : at + "." + property;
    }
    if (name == null || name.isEmpty()) {
      name = "body";
    }
    JsonObject details = new JsonObject().put("field", name).put("in", in).put("keyword", keyword);
    if (fieldSchema != null && !"required".equals(keyword)) {
      BOUNDS.forEach((k, detail) -> {
        if (fieldSchema.containsKey(k)) {
          details.put(detail, fieldSchema.getValue(k));
        }
      });
    }
    if ("body".equals(in)) {
      details.put("pointer", unit.getInstanceLocation()); // the JSON pointer of the value in the body
    }
    details.put("error", unit.getError());
    return invalid(sentence(name, keyword, fieldSchema == null ? new JsonObject() : fieldSchema, unit.getError()), details);
  }

  private static ParleyException invalid(String detail, JsonObject details) {
    return new ParleyException(ErrorCode.VALIDATION_FAILED, detail, details);
  }

  /** What the field must be, in words: the broken keyword first, then the range it must be in. */
  private static String sentence(String field, String keyword, JsonObject s, String error) {
    String what = switch (keyword == null ? "" : keyword) {
      case "required" -> "is required";
      case "maximum" -> "must be at most " + s.getValue("maximum");
      case "minimum" -> "must be at least " + s.getValue("minimum");
      case "exclusiveMaximum" -> "must be less than " + s.getValue("exclusiveMaximum");
      case "exclusiveMinimum" -> "must be more than " + s.getValue("exclusiveMinimum");
      case "maxLength" -> "must be at most " + count(s.getValue("maxLength"), "character") + " long";
      case "minLength" -> "must be at least " + count(s.getValue("minLength"), "character") + " long";
      case "maxItems" -> "must have at most " + count(s.getValue("maxItems"), "item");
      case "minItems" -> "must have at least " + count(s.getValue("minItems"), "item");
      case "pattern" -> "must match " + s.getValue("pattern");
      case "enum" -> "must be one of " + join(s.getJsonArray("enum"));
      case "const" -> "must be " + s.getValue("const");
      case "type" -> "must be " + typeWords(s.getValue("type"));
      case "format" -> "must be a valid " + s.getValue("format");
      case "additionalProperties", "unevaluatedProperties" -> "is not allowed here";
      default -> "is invalid" + (error == null ? "" : ": " + error);
    };
    String range = range(s, keyword);
    return field + " " + what + (range == null ? "" : " (allowed: " + range + ")");
  }

  /** The schema's whole range when the keyword gave only one end of it (or none): "1 to 100". */
  private static String range(JsonObject s, String keyword) {
    if ("required".equals(keyword)) {
      return null;
    }
    String numbers = between(s.getValue("minimum"), s.getValue("maximum"), "");
    String lengths = between(s.getValue("minLength"), s.getValue("maxLength"), " characters");
    String items = between(s.getValue("minItems"), s.getValue("maxItems"), " items");
    String range = numbers != null ? numbers : lengths != null ? lengths : items;
    return range != null && !range.endsWith(" only") ? range : null;
  }

  private static String count(Object n, String unit) {
    return n + " " + unit + (Integer.valueOf(1).equals(n) ? "" : "s");
  }

  private static String between(Object min, Object max, String unit) {
    if (min == null || max == null) {
      return null;
    }
    return min.equals(max) ? min + unit + " only" : min + " to " + max + unit;
  }

  private static String typeWords(Object type) {
    if (type instanceof JsonArray types) {
      StringBuilder words = new StringBuilder();
      for (int i = 0; i < types.size(); i++) {
        words.append(i == 0 ? "" : i == types.size() - 1 ? " or " : ", ").append(typeWords(types.getValue(i)));
      }
      return words.toString();
    }
    return switch (String.valueOf(type)) {
      case "integer" -> "an integer";
      case "array" -> "an array";
      case "object" -> "an object";
      case "null" -> "null";
      default -> "a " + type;
    };
  }

  private static String join(JsonArray values) {
    if (values == null) {
      return "the listed values";
    }
    StringBuilder s = new StringBuilder();
    for (Object v : values) {
      s.append(s.length() == 0 ? "" : ", ").append(v);
    }
    return s.toString();
  }

  /** The steps of a JSON pointer ({@code #/properties/name/maxLength}), unescaped. */
  private static List<String> pointer(String location) {
    List<String> steps = new java.util.ArrayList<>();
    if (location == null) {
      return steps;
    }
    String p = location.startsWith("#") ? location.substring(1) : location;
    for (String step : p.split("/")) {
      if (!step.isEmpty()) {
        steps.add(step.replace("~1", "/").replace("~0", "~"));
      }
    }
    return steps;
  }

  /** The sub-schema at {@code steps} (null when the contract has none there). */
  private static JsonObject walk(JsonObject schema, List<String> steps) {
    Object at = schema;
    for (String step : steps) {
      if (at instanceof JsonObject o) {
        at = o.getValue(step);
      } else if (at instanceof JsonArray a && step.chars().allMatch(Character::isDigit)) {
        int i = Integer.parseInt(step);
        at = i < a.size() ? a.getValue(i) : null;
      } else {
        return null;
      }
    }
    return at instanceof JsonObject o ? o : null;
  }

  /** A JSON pointer into the instance as a field path: {@code #/meta/tags/1} is {@code meta.tags[1]}. */
  static String fieldPath(String instanceLocation) {
    StringBuilder path = new StringBuilder();
    for (String step : pointer(instanceLocation)) {
      if (step.chars().allMatch(Character::isDigit)) {
        path.append('[').append(step).append(']');
      } else {
        path.append(path.length() == 0 ? "" : ".").append(step);
      }
    }
    return path.toString();
  }
}
