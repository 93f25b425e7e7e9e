package dev.sandboxpool.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.inject.Singleton;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Map;

/**
 * Reads request bodies as JSON, with errors that name the field; {@code null} is not a value of any field. That a
 * body is declared {@code application/json} is checked before, by {@link JsonContentTypeFilter}.
 */
@Singleton
public class JsonBodies {
    private final ObjectMapper mapper;

    public JsonBodies(ObjectMapper mapper) {
        this.mapper = mapper.copy()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                // numbers stay exact: as doubles, 1e400 would be Infinity and 18446744073709551.617 would lose digits
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        // "code": 5 is a mistake, not the program "5": no silent scalar coercion
        this.mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        this.mapper.coercionConfigFor(LogicalType.Float)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        this.mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        // "background": "false" or 0 is a mistake too, not a truth value
        this.mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    }

    /** The body as {@code type}, a record whose components are strings, numbers or maps of them; else a 400. */
    public <T> T read(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("body", "a JSON object is required");
        }
        try {
            JsonNode tree = mapper.readTree(body);
            if (tree == null || !tree.isObject()) {
                throw ApiException.badRequest("body", "must be a JSON object, got "
                        + (tree == null ? "nothing" : tree.getNodeType().name().toLowerCase()));
            }
            T value = mapper.treeToValue(tree, type);
            requireNoNull(tree, type, "");
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest(path(e), "unknown field (known: " + e.getKnownPropertyIds() + ")");
        } catch (JsonMappingException e) {
            String path = path(e);
            throw ApiException.badRequest(path.isEmpty() ? "body" : path, e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "malformed JSON: " + e.getOriginalMessage());
        } catch (NumberFormatException e) {
            // Jackson's parser throws this bare, without a location, for a number no BigDecimal can hold (1e9999999999)
            throw ApiException.badRequest("body", "malformed JSON: a number is out of range");
        }
    }

    /**
     * A {@code null} anywhere in the body is a 400 naming the field: Jackson would take it for an absent field (or
     * an entry without a value), so {@code "stdin": null} would run with no stdin and {@code "ttlSeconds": null}
     * would get the default, where the API's description says each field has one type. Checked after the body is
     * read, so an unknown field or a wrong type is reported as such first.
     */
    private static void requireNoNull(JsonNode object, Type type, String path) {
        object.fields().forEachRemaining(entry -> {
            String field = path.isEmpty() ? entry.getKey() : RequestText.field(path, entry.getKey());
            Type fieldType = typeOf(type, entry.getKey());
            if (entry.getValue().isNull()) {
                throw ApiException.badRequest(field, "must be " + kind(fieldType) + ", not null (leave a field"
                        + " out to get its default)");
            }
            if (entry.getValue().isObject()) {
                requireNoNull(entry.getValue(), fieldType, field);
            }
            if (entry.getValue().isArray() && fieldType instanceof ParameterizedType list) {
                for (int i = 0; i < entry.getValue().size(); i++) {
                    if (entry.getValue().get(i).isNull()) {
                        throw ApiException.badRequest(field + "[" + i + "]", "must be "
                                + kind(list.getActualTypeArguments()[0]) + ", not null");
                    }
                }
            }
        });
    }

    /** The declared type of a record's component, or of a map's values. */
    private static Type typeOf(Type container, String name) {
        if (container instanceof ParameterizedType map && map.getRawType() == Map.class) {
            return map.getActualTypeArguments()[1];
        }
        for (RecordComponent c : ((Class<?>) container).getRecordComponents()) {
            if (c.getName().equals(name)) {
                return c.getGenericType();
            }
        }
        throw new IllegalStateException(name + " was read into " + container + ", which has no such component");
    }

    private static String kind(Type type) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (CharSequence.class.isAssignableFrom(raw)) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(raw)) {
            return "a number";
        }
        if (raw == Boolean.class) {
            return "true or false";
        }
        if (java.util.List.class.isAssignableFrom(raw)) {
            return "an array";
        }
        return "an object";
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
