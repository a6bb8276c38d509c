package dev.lode.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.Sha256;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tags on tenant assets on SQLite; {@link PostgresTenantAssetTagsTest} runs them on PostgreSQL. */
class TenantAssetTagsTest {
    @TempDir
    Path dir;

    Catalog open() {
        return Catalog.openSqlite(dir.resolve("tags.db"));
    }

    static TenantAssetKey key(String tenant, String run, ArtifactType type, String file) {
        return new TenantAssetKey(tenant, run, type, file);
    }

    static void put(Catalog c, TenantAssetKey k) {
        c.tenantAssets()
                .put(new TenantAsset(
                        k, Sha256.of(k.path().getBytes()), 10, "image/png", false, Instant.ofEpochMilli(1000)));
    }

    @Test
    void assetsAreFoundByTagInPathOrderWithinTheirTenantOnly() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            c.tenants().create("rival");
            TenantAssetKey hero = key("acme", "r1", ArtifactType.MODEL_3D, "hero.glb");
            TenantAssetKey sky = key("acme", "r1", ArtifactType.ENVIRONMENT_MAP, "sky.hdr");
            TenantAssetKey rock = key("acme", "r2", ArtifactType.TEXTURE, "rock.ktx2");
            TenantAssetKey theirs = key("rival", "r1", ArtifactType.MODEL_3D, "hero.glb");
            for (TenantAssetKey k : List.of(hero, sky, rock, theirs)) {
                put(c, k);
            }
            c.tenantAssets().setTags(hero, Set.of("level1", "character"));
            c.tenantAssets().setTags(sky, Set.of("level1"));
            c.tenantAssets().setTags(rock, Set.of("level2"));
            c.tenantAssets().setTags(theirs, Set.of("level1"));

            assertThat(c.tenantAssets().findByTag("acme", "level1", null, 100))
                    .extracting(TenantAsset::key)
                    .containsExactly(sky, hero); // environment_map sorts before model_3d
            assertThat(c.tenantAssets().findByTag("rival", "level1", null, 100))
                    .extracting(TenantAsset::key)
                    .containsExactly(theirs);
            assertThat(c.tenantAssets().findByTag("acme", "nothing", null, 100)).isEmpty();
            assertThat(c.tenantAssets().tags(hero)).containsExactly("character", "level1");
            TenantAsset found =
                    c.tenantAssets().findByTag("acme", "level2", null, 1).getFirst();
            assertThat(found.objectId()).isEqualTo(Sha256.of(rock.path().getBytes()));
            assertThat(found.mediaType()).isEqualTo("image/png");
        }
    }

    @Test
    void pagesFollowOneAnotherWithoutGapsOrRepeats() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            List<TenantAssetKey> all = new ArrayList<>();
            for (int run = 0; run < 3; run++) {
                for (ArtifactType type : List.of(ArtifactType.IMAGE, ArtifactType.AUDIO)) {
                    for (int f = 0; f < 4; f++) {
                        TenantAssetKey k = key("acme", "run-" + run, type, "f" + f + ".bin");
                        put(c, k);
                        c.tenantAssets().setTags(k, Set.of("all"));
                        all.add(k);
                    }
                }
            }
            List<TenantAssetKey> paged = new ArrayList<>();
            TenantAssetKey after = null;
            while (true) {
                List<TenantAsset> page = c.tenantAssets().findByTag("acme", "all", after, 5);
                if (page.isEmpty()) {
                    break;
                }
                page.forEach(a -> paged.add(a.key()));
                after = page.getLast().key();
            }
            assertThat(paged)
                    .hasSize(all.size())
                    .containsExactlyInAnyOrderElementsOf(all)
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void tagsAreReplacedKeptWhenTheAssetIsReplacedAndDroppedWhenItIsDeleted() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            TenantAssetKey k = key("acme", "r", ArtifactType.IMAGE, "a.png");
            put(c, k);
            c.tenantAssets().setTags(k, Set.of("old", "ui"));
            c.tenantAssets().setTags(k, Set.of("ui", "new"));
            assertThat(c.tenantAssets().tags(k)).containsExactly("new", "ui");
            put(c, k); // new bytes at the same path
            assertThat(c.tenantAssets().tags(k)).containsExactly("new", "ui");
            c.tenantAssets().setTags(k, Set.of());
            assertThat(c.tenantAssets().tags(k)).isEmpty();
            c.tenantAssets().setTags(k, Set.of("ui"));
            assertThat(c.tenantAssets().delete(k)).isTrue();
            assertThat(c.tenantAssets().tags(k)).isEmpty();
            put(c, k);
            assertThat(c.tenantAssets().findByTag("acme", "ui", null, 10)).isEmpty();
        }
    }

    @Test
    void putWithTagsStoresBothAtOnceAndABadTagStoresNeither() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            TenantAssetKey k = key("acme", "r", ArtifactType.AUDIO, "theme.ogg");
            TenantAsset a = new TenantAsset(k, Sha256.of(new byte[] {1}), 1, "audio/ogg", true, Instant.EPOCH);
            c.tenantAssets().put(a, Set.of("music", "level1"));
            assertThat(c.tenantAssets().findByTag("acme", "music", null, 10)).containsExactly(a);
            TenantAssetKey other = key("acme", "r", ArtifactType.AUDIO, "other.ogg");
            TenantAsset b = new TenantAsset(other, Sha256.of(new byte[] {2}), 1, "audio/ogg", true, Instant.EPOCH);
            assertThatThrownBy(() -> c.tenantAssets().put(b, Set.of("music", "no good")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(c.tenantAssets().find(other)).isEmpty();
            assertThat(c.tenantAssets().findByTag("acme", "music", null, 10)).containsExactly(a);
        }
    }

    @Test
    void badTagsAndMissingAssetsChangeNothing() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            TenantAssetKey k = key("acme", "r", ArtifactType.IMAGE, "a.png");
            put(c, k);
            c.tenantAssets().setTags(k, Set.of("keep"));
            for (String bad : List.of("", "has space", "-lead", "x".repeat(65), "a/b", "ü")) {
                assertThatThrownBy(() -> c.tenantAssets().setTags(k, Set.of("fine", bad)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("bad tag");
            }
            assertThat(c.tenantAssets().tags(k)).containsExactly("keep");
            TenantAssetKey missing = key("acme", "r", ArtifactType.IMAGE, "missing.png");
            assertThatThrownBy(() -> c.tenantAssets().setTags(missing, Set.of("x")))
                    .isInstanceOf(TenantAssetCatalog.UnknownAssetException.class)
                    .hasMessageContaining("/t/acme/r/image/missing.png");
            assertThat(c.tenantAssets().tags(missing)).isEmpty();
            assertThatThrownBy(() -> c.tenantAssets().findByTag("acme", "bad tag", null, 10))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.tenantAssets().findByTag("acme", "keep", null, 0))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
