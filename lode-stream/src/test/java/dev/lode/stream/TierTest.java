package dev.lode.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TierTest {
    @TempDir
    Path dir;

    static List<String> evict(Tier<String> t, long bytes) {
        List<Tier.Slot<String>> ev = new ArrayList<>();
        assertThat(t.makeRoom(bytes, ev)).isTrue();
        return ev.stream().map(s -> s.key).toList();
    }

    @Test
    void lruEvictsTheLeastRecentlyUsedAndLfuTheLeastFrequentlyUsed() {
        for (EvictionPolicy p : EvictionPolicy.values()) {
            Tier<String> t = new Tier<>("cpu", 300, p);
            Tier.Slot<String> a = t.admit("a", 100, false);
            t.admit("b", 100, false);
            Tier.Slot<String> c = t.admit("c", 100, false);
            t.touch(a);
            t.touch(a);
            t.touch(c);
            // a: used 3 times; b: once and oldest; c: twice and most recent.
            assertThat(evict(t, 100)).containsExactly("b");
            t.admit("d", 100, false);
            // Now a (3 uses, older) vs c (2 uses) vs d (1 use, newest).
            List<String> next = evict(t, 100);
            if (p == EvictionPolicy.LRU) {
                assertThat(next).containsExactly("a");
            } else {
                assertThat(next).containsExactly("d");
            }
        }
    }

    @Test
    void pinnedEntriesAreNeverEvictedAndImpossibleRoomEvictsNothing() {
        Tier<String> t = new Tier<>("gpu", 300, EvictionPolicy.LRU);
        Tier.Slot<String> a = t.admit("a", 100, true);
        t.admit("b", 100, false);
        List<Tier.Slot<String>> ev = new ArrayList<>();
        assertThat(t.makeRoom(250, ev)).isFalse();
        assertThat(ev).isEmpty();
        assertThat(t.bytes()).isEqualTo(200);
        assertThat(evict(t, 200)).containsExactly("b");
        t.setPinned(a, false);
        assertThat(t.reserve(300, ev)).isTrue();
        assertThat(ev).extracting(s -> s.key).containsExactly("a");
        assertThat(t.bytes()).isEqualTo(300);
        assertThatThrownBy(() -> t.admit("x", 1, false)).isInstanceOf(IllegalStateException.class);
        t.unreserve(300);
        assertThat(t.bytes()).isZero();
        assertThatThrownBy(() -> t.unreserve(1)).isInstanceOf(IllegalStateException.class);
        assertThat(t.stats().evictions()).isEqualTo(2);
    }

    @Test
    void diskCacheDeletesWhatItEvictsAndAdoptsWhatIsAlreadyThere() {
        LocalObjectStore store =
                LocalObjectStore.builder(dir.resolve("cache")).durable(false).build();
        DiskCache cache = new DiskCache(store, 250, EvictionPolicy.LRU, Runnable::run);
        List<ObjectId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] b = new byte[100];
            b[0] = (byte) i;
            cache.write(b);
            ids.add(dev.lode.core.Sha256.of(b));
        }
        assertThat(cache.admitted(ids.get(0), 100)).isEmpty();
        assertThat(cache.admitted(ids.get(1), 100)).isEmpty();
        List<ObjectId> delete = cache.admitted(ids.get(2), 100);
        assertThat(delete).containsExactly(ids.get(0));
        delete.forEach(store::delete);
        assertThat(cache.lookup(ids.get(0))).isFalse();
        assertThat(cache.lookup(ids.get(2))).isTrue();
        // A new cache over the same folder adopts the two objects left.
        DiskCache again = new DiskCache(store, 250, EvictionPolicy.LRU, Runnable::run);
        assertThat(again.tier.count()).isEqualTo(2);
        assertThat(again.lookup(ids.get(1))).isTrue();
        // Over budget on open: it trims to the budget.
        DiskCache small = new DiskCache(store, 100, EvictionPolicy.LRU, Runnable::run);
        assertThat(small.tier.count()).isEqualTo(1);
        assertThat(small.tier.bytes()).isLessThanOrEqualTo(100);
    }
}
