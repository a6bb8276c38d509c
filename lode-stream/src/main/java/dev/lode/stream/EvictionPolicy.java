package dev.lode.stream;

/** Which unreferenced entry a tier evicts first. */
public enum EvictionPolicy {
    /** Least recently used. */
    LRU,
    /** Least frequently used, ties broken by least recently used. */
    LFU
}
