package dev.sandboxpool.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A {@code /v1} request with a body must say {@code Content-Type: application/json} (parameters such as a charset
 * allowed), else 415. A browser sends {@code text/plain}, a form type or no type at all without asking the server
 * first (no CORS preflight), so a web page could otherwise post code to the API; {@code application/json} from a
 * page needs a preflight, which {@link CrossSiteFilter} refuses. A request without a body (acquiring a lease with
 * the pool's defaults) needs no content type. Checked after the token: a caller without one learns nothing more.
 */
@ServerFilter("/v1/**")
@Order(10)
public class JsonContentTypeFilter {
    static final String JSON = "application/json";
    static final String OCTET_STREAM = "application/octet-stream";
    /**
     * A file upload's body is the file's bytes, as {@value #OCTET_STREAM}: a type a page cannot send without a
     * preflight either, so it needs no exception to the rule above.
     */
    private static final Pattern UPLOAD = Pattern.compile("/v1/leases/.+/files");

    @RequestFilter
    @Nullable
    public HttpResponse<ApiError> check(HttpRequest<?> request) {
        if (!hasBody(request)) {
            return null;
        }
        String type = request.getHeaders().get(HttpHeaders.CONTENT_TYPE);
        // by path alone: another method with a body there is then Micronaut's 405, not a 415 about JSON
        boolean upload = UPLOAD.matcher(request.getPath()).matches();
        String expected = upload ? OCTET_STREAM : JSON;
        if (type != null && mediaType(type).equals(expected)) {
            return null;
        }
        return HttpResponse.<ApiError>status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).body(new ApiError(
                "UnsupportedMediaType", (upload ? "the body must be the file's bytes" : "the body must be JSON")
                        + " sent with Content-Type: " + expected + " (got "
                        + (type == null ? "no Content-Type" : shown(type)) + ")"));
    }

    private static boolean hasBody(HttpRequest<?> request) {
        if (request.getHeaders().contains(HttpHeaders.TRANSFER_ENCODING)) {
            return true;
        }
        String length = request.getHeaders().get(HttpHeaders.CONTENT_LENGTH);
        // a malformed length is Netty's to refuse; here only "is there a body" matters
        return length != null && !length.strip().equals("0");
    }

    /** The type without parameters, in lower case. */
    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static String shown(String type) {
        return type.length() > 100 ? type.substring(0, 100) + "..." : type;
    }
}
