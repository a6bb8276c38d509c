package dev.lode.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keys made by the openssl CLI; signatures checked by the openssl CLI. */
class SignaturesTest {
    @TempDir
    static Path keys;

    @TempDir
    Path tmp;

    static void openssl(Path dir, String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        StringBuilder log = new StringBuilder();
        assertThat(TestTrees.run(dir, log, cmd))
                .as("openssl %s: %s", String.join(" ", args), log)
                .isZero();
    }

    @BeforeAll
    static void makeKeys() {
        openssl(keys, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
        openssl(keys, "pkey", "-in", "rsa.pem", "-pubout", "-out", "rsa.pub");
        openssl(keys, "rsa", "-in", "rsa.pem", "-traditional", "-out", "rsa1.pem");
        openssl(keys, "rsa", "-in", "rsa.pem", "-RSAPublicKey_out", "-out", "rsa1.pub");
        openssl(keys, "genpkey", "-algorithm", "ed25519", "-out", "ed.pem");
        openssl(keys, "pkey", "-in", "ed.pem", "-pubout", "-out", "ed.pub");
        openssl(keys, "genpkey", "-algorithm", "ed25519", "-out", "ed2.pem");
        openssl(keys, "pkey", "-in", "ed2.pem", "-pubout", "-out", "ed2.pub");
        openssl(keys, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem");
        openssl(
                keys,
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-aes-128-cbc",
                "-pass",
                "pass:secret",
                "-out",
                "enc.pem");
        openssl(keys, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "weak.pem");
    }

    private Path packSigned(String key) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("plug"));
        Files.writeString(src.resolve("a.txt"), "hello");
        PrivateKey k = Signatures.loadPrivateKey(keys.resolve(key));
        return PluginPacker.builder()
                .pluginId(1)
                .version("1")
                .signWith(k)
                .build()
                .pack(src, tmp.resolve("plugins"))
                .directory();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa.pem", "rsa1.pem"})
    void rsaSignatureVerifiesWithOpensslDgst(String key) throws IOException {
        Path dir = packSigned(key);
        openssl(
                dir,
                "dgst",
                "-sha256",
                "-verify",
                keys.resolve("rsa.pub").toString(),
                "-signature",
                "manifest.sig",
                "manifest");
        assertThat(BundleVerifier.verify(dir, Signatures.loadPublicKey(keys.resolve("rsa.pub")))
                        .problems())
                .isEmpty();
        assertThat(BundleVerifier.verify(dir, Signatures.loadPublicKey(keys.resolve("rsa1.pub")))
                        .problems())
                .isEmpty();
    }

    @Test
    void ed25519SignatureVerifiesWithOpensslPkeyutl() throws IOException {
        Path dir = packSigned("ed.pem");
        openssl(
                dir,
                "pkeyutl",
                "-verify",
                "-pubin",
                "-inkey",
                keys.resolve("ed.pub").toString(),
                "-rawin",
                "-in",
                "manifest",
                "-sigfile",
                "manifest.sig");
        assertThat(BundleVerifier.verify(dir, Signatures.loadPublicKey(keys.resolve("ed.pub")))
                        .ok())
                .isTrue();
    }

    @Test
    void wrongPublicKeyFailsVerification() throws IOException {
        Path dir = packSigned("ed.pem");
        VerificationReport r = BundleVerifier.verify(dir, Signatures.loadPublicKey(keys.resolve("ed2.pub")));
        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).singleElement().asString().contains("not a valid Ed25519 signature");
        VerificationReport rsa = BundleVerifier.verify(dir, Signatures.loadPublicKey(keys.resolve("rsa.pub")));
        assertThat(rsa.problems()).singleElement().asString().contains("signature");
    }

    @Test
    void missingSignatureFailsWhenAKeyIsGiven() throws IOException {
        Path dir = packSigned("rsa.pem");
        Files.delete(dir.resolve("manifest.sig"));
        assertThat(BundleVerifier.verify(dir, Signatures.loadPublicKey(keys.resolve("rsa.pub")))
                        .problems())
                .singleElement()
                .asString()
                .contains("manifest.sig is missing");
    }

    @Test
    void tamperedManifestFailsSignatureAndHashChecks() throws IOException {
        Path dir = packSigned("rsa.pem");
        Path m = dir.resolve("manifest");
        Files.writeString(m, Files.readString(m).replace("\"version\": \"1\"", "\"version\": \"2\""));
        VerificationReport r = BundleVerifier.verify(dir, Signatures.loadPublicKey(keys.resolve("rsa.pub")));
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("signature"));
    }

    @Test
    void signAndVerifyAgreeInJava() {
        PrivateKey priv = Signatures.loadPrivateKey(keys.resolve("ed.pem"));
        PublicKey pub = Signatures.loadPublicKey(keys.resolve("ed.pub"));
        byte[] sig = Signatures.sign(priv, "message".getBytes());
        assertThat(Signatures.verify(pub, "message".getBytes(), sig)).isTrue();
        assertThat(Signatures.verify(pub, "messagE".getBytes(), sig)).isFalse();
        assertThat(Signatures.verify(pub, "message".getBytes(), new byte[3])).isFalse();
    }

    @Test
    void encryptedKeyIsAClearError() {
        assertThatThrownBy(() -> Signatures.loadPrivateKey(keys.resolve("enc.pem")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("encrypted")
                .hasMessageContaining("openssl pkey");
    }

    @Test
    void encryptedPkcs1KeyIsAClearError() {
        String pem = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
                + "AAAA\n-----END RSA PRIVATE KEY-----\n";
        assertThatThrownBy(() -> Signatures.parsePrivateKey(pem, "old.pem"))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("encrypted");
    }

    @Test
    void fileThatIsNotAKeyIsAClearError() throws IOException {
        Path junk = Files.writeString(tmp.resolve("junk.pem"), "hello, I am not a key\n");
        assertThatThrownBy(() -> Signatures.loadPrivateKey(junk))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("junk.pem")
                .hasMessageContaining("not a PEM key");
        Path garbage = Files.writeString(
                tmp.resolve("garbage.pem"), "-----BEGIN PRIVATE KEY-----\nAAECAwQF\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Signatures.loadPrivateKey(garbage))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("not an RSA or Ed25519 private key");
        Path badB64 = Files.writeString(
                tmp.resolve("b64.pem"), "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Signatures.loadPrivateKey(badB64))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("base64");
        assertThatThrownBy(() -> Signatures.loadPrivateKey(tmp.resolve("absent.pem")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void unsupportedOrMisplacedKeysAreClearErrors() {
        assertThatThrownBy(() -> Signatures.loadPrivateKey(keys.resolve("ec.pem")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("RSA or Ed25519");
        assertThatThrownBy(() -> Signatures.loadPrivateKey(keys.resolve("rsa.pub")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("public key");
        assertThatThrownBy(() -> Signatures.loadPublicKey(keys.resolve("rsa.pem")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("private key");
        assertThatThrownBy(() -> Signatures.loadPrivateKey(keys.resolve("weak.pem")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("too weak");
    }
}
