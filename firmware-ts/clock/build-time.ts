/**
 * The build time of the clock floor (docs/DESIGN.md): a date this software cannot be running before.
 *
 * It is a declared constant, bumped with each release, rather than a stamp taken by the build:
 * a stamp would make builds unreproducible, would not exist when tests run from source, and would
 * come from the build machine's own clock, so one build host with a wrong clock would push the
 * floor of a whole fleet into the future. A constant that lags a little only makes the floor a
 * little weaker; later floors come from verified manifests and logged scans.
 * @module
 */

/** 2026-11-20T00:00:00Z, the release date of this source. */
export const BUILD_TIME_SEC = Date.UTC(2026, 10, 20) / 1000;
