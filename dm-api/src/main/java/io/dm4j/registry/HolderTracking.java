package io.dm4j.registry;

/** How much the registry remembers about each holder, for errors that list them. */
public enum HolderTracking {
    /** Only counts: the cheapest; a destroy that times out reports how many holders remain. */
    COUNT,
    /** The holding thread and when it took the hold. */
    THREADS,
    /** Also the stack trace of each acquisition: for debugging; costs a stack walk per acquire. */
    STACKS
}
