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

/**
 * Reads request bodies as JSON, with errors that name the field. That a body is declared {@code application/json} is
 * checked before, by {@link JsonContentTypeFilter}.
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
    }

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
            return mapper.treeToValue(tree, type);
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
