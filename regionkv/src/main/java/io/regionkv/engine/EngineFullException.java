package io.regionkv.engine;

/**
 * The map cannot grow any further ({@link EngineConfig#maxMapSize()}); the commit changed nothing. Unlike
 * {@link InvalidInputException} this is about the store, not the request: the same batch may succeed after
 * data is deleted or the limit raised.
 */
public final class EngineFullException extends RuntimeException {
    public EngineFullException(EngineKind engine, long mapSize, long maxMapSize) {
        super("the " + engine.dirName() + " environment is full: map size " + mapSize
                + " bytes cannot grow past maxMapSize " + maxMapSize + " bytes");
    }
}
