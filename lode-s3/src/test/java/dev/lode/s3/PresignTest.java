package dev.lode.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.ObjectId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Presigned GET URLs fetched with the JDK's HTTP client from a signature-checking s3proxy. */
class PresignTest {
    @TempDir
    static Path tmp;

    static S3ProxyServer server;
    static S3Stores stores;
    static S3ObjectStore acme;
    static S3ObjectStore other;
    static ObjectId texture;
    static ObjectId othersTexture;
    static final HttpClient http = HttpClient.newHttpClient();
    static final byte[] KTX2 = "«KTX 20»\r\n\u001a\n pretend texture".getBytes();

    @BeforeAll
    static void start() {
        server = S3ProxyServer.start(tmp.resolve("s3"));
        stores = S3Stores.open(server.settings("private-assets")
                .cdnBase(URI.create("https://cdn.example.com"))
                .build());
        stores.createBucketIfMissing();
        acme = stores.forTenant("acme");
        other = stores.forTenant("other");
        texture = acme.putBytes(KTX2).id();
        acme.put(new java.io.ByteArrayInputStream(KTX2), PutOptions.forPath("t.ktx2"));
        othersTexture = other.put(new java.io.ByteArrayInputStream("other's".getBytes()), PutOptions.forPath("o.png"))
                .id();
    }

    @AfterAll
    static void stop() {
        stores.close();
        server.close();
    }

    static HttpResponse<byte[]> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void presignedUrlServesTheObjectWithItsHeaders() throws Exception {
        URI url = acme.presignGet(texture);

        HttpResponse<byte[]> r = get(url);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(KTX2);
        assertThat(r.headers().firstValue("Cache-Control")).contains(S3ObjectStore.CACHE_CONTROL);
        assertThat(url.getPath()).isEqualTo("/private-assets/acme/objects/" + texture.hex());
        assertThat(url.getQuery()).contains("X-Amz-Expires=3600").contains("X-Amz-Signature=");
    }

    @Test
    void unsignedRequestIsDenied() throws Exception {
        URI bare = URI.create(server.endpoint() + "/private-assets/acme/objects/" + texture.hex());
        assertThat(get(bare).statusCode()).isEqualTo(403);
    }

    @Test
    void expiredUrlIsDenied() throws Exception {
        URI url = acme.presignGet(texture, Duration.ofSeconds(1));
        Thread.sleep(2_100);
        assertThat(get(url).statusCode()).isEqualTo(403);
    }

    @Test
    void alteredSignatureOrExpiryIsDenied() throws Exception {
        String url = acme.presignGet(texture, Duration.ofMinutes(5)).toString();
        int sig = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
        char c = url.charAt(sig);
        String badSignature = url.substring(0, sig) + (c == 'a' ? 'b' : 'a') + url.substring(sig + 1);
        assertThat(get(URI.create(badSignature)).statusCode()).isEqualTo(403);

        String longer = url.replace("X-Amz-Expires=300", "X-Amz-Expires=600");
        assertThat(longer).isNotEqualTo(url);
        assertThat(get(URI.create(longer)).statusCode()).isEqualTo(403);
    }

    @Test
    void urlPointedAtAnotherTenantsKeyIsDenied() throws Exception {
        String url = acme.presignGet(texture).toString();
        String stolen = url.replace("/acme/objects/" + texture.hex(), "/other/objects/" + othersTexture.hex());
        assertThat(stolen).isNotEqualTo(url);
        assertThat(get(URI.create(stolen)).statusCode()).isEqualTo(403);
        // the other tenant's own URL does work
        assertThat(get(other.presignGet(othersTexture)).statusCode()).isEqualTo(200);
    }

    @Test
    void lifetimeIsCheckedAgainstTheSevenDayLimit() {
        assertThat(acme.presignGet(texture, Duration.ofDays(7)).getQuery()).contains("X-Amz-Expires=604800");
        assertThatThrownBy(() -> acme.presignGet(texture, Duration.ofDays(7).plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("7 days");
        assertThatThrownBy(() -> acme.presignGet(texture, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void missingObjectGets404ThroughAValidUrl() throws Exception {
        ObjectId missing = ObjectId.parse("0".repeat(64));
        assertThat(get(acme.presignGet(missing)).statusCode()).isEqualTo(404);
    }

    @Test
    void cdnUrlMapsToTheBucketKey() {
        assertThat(acme.publicUrl(texture))
                .contains(URI.create("https://cdn.example.com/acme/objects/" + texture.hex()));
    }
}
