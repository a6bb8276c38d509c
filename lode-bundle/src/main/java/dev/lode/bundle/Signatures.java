package dev.lode.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads RSA and Ed25519 keys from PEM files and signs or verifies bytes with them, in the forms
 * OpenSSL checks: RSA keys sign with PKCS#1 v1.5 over SHA-256 ({@code openssl dgst -sha256
 * -verify}), Ed25519 keys sign the message itself ("pure" Ed25519, {@code openssl pkeyutl
 * -verify -rawin}). Signatures are the raw bytes, no encoding.
 *
 * <p>Private keys: PKCS#8 ({@code BEGIN PRIVATE KEY}) holding RSA or Ed25519, and PKCS#1 RSA
 * ({@code BEGIN RSA PRIVATE KEY}), which is wrapped into PKCS#8 here because the JDK reads only
 * PKCS#8. Public keys: SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}) and PKCS#1 RSA ({@code
 * BEGIN RSA PUBLIC KEY}). Encrypted keys are refused with a hint: decrypt them first with
 * {@code openssl pkey}. RSA keys shorter than 2048 bits are refused.
 */
public final class Signatures {
    /** Shortest RSA modulus accepted, in bits. */
    public static final int MIN_RSA_BITS = 2048;

    private static final Pattern PEM =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\R(.*?)-----END \\1-----", Pattern.DOTALL);

    /** DER of AlgorithmIdentifier { rsaEncryption, NULL }. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };

    private Signatures() {}

    /** Reads a private key from a PEM file. */
    public static PrivateKey loadPrivateKey(Path pem) {
        return parsePrivateKey(readPem(pem), pem.toString());
    }

    /** Reads a public key from a PEM file. */
    public static PublicKey loadPublicKey(Path pem) {
        return parsePublicKey(readPem(pem), pem.toString());
    }

    /** Parses a PEM private key; {@code source} names it in errors. */
    public static PrivateKey parsePrivateKey(String pemText, String source) {
        Block b = firstBlock(pemText, source);
        return switch (b.type()) {
            case "PRIVATE KEY" -> checked(privateKey(new PKCS8EncodedKeySpec(b.der()), source), source);
            case "RSA PRIVATE KEY" -> {
                if (b.headers().contains("ENCRYPTED")) {
                    throw encrypted(source);
                }
                PrivateKey k = privateKey(new PKCS8EncodedKeySpec(wrapPkcs1Private(b.der())), source);
                yield checked(k, source);
            }
            case "ENCRYPTED PRIVATE KEY" -> throw encrypted(source);
            case "PUBLIC KEY", "RSA PUBLIC KEY" ->
                throw new BundleException(source + " holds a public key; signing needs the private key");
            default ->
                throw new BundleException(source + ": unsupported PEM block '" + b.type()
                        + "' (expected an RSA or Ed25519 private key: PRIVATE KEY or RSA PRIVATE KEY)");
        };
    }

    /** Parses a PEM public key; {@code source} names it in errors. */
    public static PublicKey parsePublicKey(String pemText, String source) {
        Block b = firstBlock(pemText, source);
        return switch (b.type()) {
            case "PUBLIC KEY" -> checked(publicKey(new X509EncodedKeySpec(b.der()), source), source);
            case "RSA PUBLIC KEY" ->
                checked(publicKey(new X509EncodedKeySpec(wrapPkcs1Public(b.der())), source), source);
            case "PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY" ->
                throw new BundleException(
                        source + " holds a private key; verification needs the public key (openssl pkey -pubout)");
            default ->
                throw new BundleException(source + ": unsupported PEM block '" + b.type()
                        + "' (expected an RSA or Ed25519 public key: PUBLIC KEY or RSA PUBLIC KEY)");
        };
    }

    /** Signs {@code message} with {@code key} (SHA256withRSA or Ed25519 by key type). */
    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature s = Signature.getInstance(algorithm(key));
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new BundleException("cannot sign with " + key.getAlgorithm() + " key: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is {@code key}'s signature of {@code message}. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(algorithm(key));
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (SignatureException e) {
            return false; // malformed signature bytes (wrong length for the key, ...)
        } catch (InvalidKeyException e) {
            throw new BundleException("cannot verify with " + key.getAlgorithm() + " key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks " + algorithm(key), e);
        }
    }

    /** "RSA" or "Ed25519". */
    public static String keyType(java.security.Key key) {
        if (key instanceof RSAKey) {
            return "RSA";
        }
        if (key instanceof EdECKey k && k.getParams().getName().equals("Ed25519")) {
            return "Ed25519";
        }
        throw new BundleException("unsupported key type " + key.getAlgorithm() + " (RSA or Ed25519 only)");
    }

    private static String algorithm(java.security.Key key) {
        return keyType(key).equals("RSA") ? "SHA256withRSA" : "Ed25519";
    }

    private static <K extends java.security.Key> K checked(K key, String source) {
        keyType(key);
        if (key instanceof RSAKey r && r.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new BundleException(source + ": RSA key of " + r.getModulus().bitLength()
                    + " bits is too weak (at least " + MIN_RSA_BITS + ")");
        }
        return key;
    }

    private static PrivateKey privateKey(KeySpec spec, String source) {
        for (String alg : new String[] {"RSA", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (InvalidKeySpecException | RuntimeException e) {
                // try the next algorithm
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK lacks " + alg, e);
            }
        }
        throw new BundleException(source + " is not an RSA or Ed25519 private key");
    }

    private static PublicKey publicKey(KeySpec spec, String source) {
        for (String alg : new String[] {"RSA", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(spec);
            } catch (InvalidKeySpecException | RuntimeException e) {
                // try the next algorithm
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK lacks " + alg, e);
            }
        }
        throw new BundleException(source + " is not an RSA or Ed25519 public key");
    }

    private record Block(String type, String headers, byte[] der) {}

    private static Block firstBlock(String text, String source) {
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            if (type.endsWith("PARAMETERS")) {
                continue;
            }
            String body = m.group(2);
            StringBuilder headers = new StringBuilder();
            StringBuilder b64 = new StringBuilder();
            for (String line : body.split("\\R")) {
                if (line.contains(":")) {
                    headers.append(line).append('\n');
                } else {
                    b64.append(line.strip());
                }
            }
            try {
                byte[] der = Base64.getDecoder().decode(b64.toString());
                if (der.length == 0) {
                    throw new BundleException(source + ": empty PEM block '" + type + "'");
                }
                return new Block(type, headers.toString(), der);
            } catch (IllegalArgumentException e) {
                throw new BundleException(source + ": PEM block '" + type + "' is not valid base64");
            }
        }
        throw new BundleException(source + " is not a PEM key (no -----BEGIN ...----- block)");
    }

    private static String readPem(Path pem) {
        try {
            if (Files.size(pem) > 1 << 20) {
                throw new BundleException(pem + " is larger than 1 MiB: not a key file");
            }
            return new String(Files.readAllBytes(pem), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new BundleException("key file not found: " + pem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + pem + ": " + e.getMessage(), e);
        }
    }

    private static BundleException encrypted(String source) {
        return new BundleException(
                source + " is an encrypted key; decrypt it first (openssl pkey -in KEY -out PLAIN.pem)");
    }

    /** PKCS#8 PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { RSAPrivateKey } }. */
    private static byte[] wrapPkcs1Private(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.writeBytes(tlv(0x04, pkcs1));
        return tlv(0x30, body.toByteArray());
    }

    /** SubjectPublicKeyInfo { rsaEncryption, BIT STRING { RSAPublicKey } }. */
    private static byte[] wrapPkcs1Public(byte[] pkcs1) {
        byte[] bits = new byte[pkcs1.length + 1]; // leading 0: no unused bits
        System.arraycopy(pkcs1, 0, bits, 1, pkcs1.length);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(RSA_ALGORITHM);
        body.writeBytes(tlv(0x03, bits));
        return tlv(0x30, body.toByteArray());
    }

    /** One DER tag-length-value (definite length form). */
    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int len = value.length;
        if (len < 0x80) {
            out.write(len);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(len) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(len >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
