/**
 * Geo queries as CloudBase answers them (MongoDB's 2dsphere semantics): `$nearSphere` / `$near`
 * (`_.geoNear`), `$geoWithin` with `$geometry` or `$centerSphere` (`_.geoWithin`), `$geoIntersects`
 * (`_.geoIntersects`) and the `$geoNear` aggregation stage.
 *
 * Containment and intersection are Turf's (@turf/*: maintained, used by most JavaScript GIS code,
 * typed), not ours. Distances are great-circle distances on MongoDB's sphere (radius 6,378,100 m)
 * by S2's formula, so `maxDistance` in metres means what it means on CloudBase, digit for digit. Containment and intersection are Turf's, which joins
 * the vertices of a polygon by straight lines in longitude/latitude where MongoDB follows great
 * circles: for shapes the size of a city the two agree to within metres; the README says so.
 */
import type { Geometry, Position } from 'geojson';
import { type Doc, isPlainObject } from './ejson';
import { requestFailed } from './errors';

/**
 * Turf, loaded by the first geo query: most emulators never run one, and its modules are a sixth of
 * what loading the emulator costs (every test file of a project pays that).
 */
let turf:
  | {
      booleanIntersects: typeof import('@turf/boolean-intersects').booleanIntersects;
      booleanPointInPolygon: typeof import('@turf/boolean-point-in-polygon').booleanPointInPolygon;
      booleanWithin: typeof import('@turf/boolean-within').booleanWithin;
    }
  | undefined;
function geometryChecks(): NonNullable<typeof turf> {
  turf ??= {
    booleanIntersects: (require('@turf/boolean-intersects') as typeof import('@turf/boolean-intersects')).booleanIntersects,
    booleanPointInPolygon: (require('@turf/boolean-point-in-polygon') as typeof import('@turf/boolean-point-in-polygon'))
      .booleanPointInPolygon,
    booleanWithin: (require('@turf/boolean-within') as typeof import('@turf/boolean-within')).booleanWithin,
  };
  return turf;
}

/** MongoDB's sphere radius for 2dsphere distances in metres. */
export const EARTH_RADIUS_METERS = 6_378_100;

const GEOMETRY_TYPES = new Set(['Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon']);

/** A stored value as GeoJSON: a GeoJSON object (what the SDK's Geo types encode to) or a legacy `[lng, lat]` pair. */
export function asGeometry(value: unknown): Geometry | null {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number') {
    return { type: 'Point', coordinates: [value[0], value[1]] };
  }
  if (!isPlainObject(value) || typeof value.type !== 'string' || !GEOMETRY_TYPES.has(value.type)) return null;
  if (!Array.isArray(value.coordinates)) return null;
  return value as unknown as Geometry;
}

/** Geometries stored at a field: one, or several when the field holds an array of them. */
export function geometriesOf(value: unknown): Geometry[] {
  const single = asGeometry(value);
  if (single) return [single];
  if (!Array.isArray(value)) return [];
  return value.map(asGeometry).filter((geometry): geometry is Geometry => geometry !== null);
}

function requireGeometry(value: unknown, operator: string): Geometry {
  const geometry = asGeometry(value);
  if (!geometry) throw requestFailed(`${operator} requires a GeoJSON geometry, got ${JSON.stringify(value)}`);
  return geometry;
}

function positionsOf(geometry: Geometry): Position[] {
  switch (geometry.type) {
    case 'Point':
      return [geometry.coordinates];
    case 'LineString':
    case 'MultiPoint':
      return geometry.coordinates;
    case 'Polygon':
    case 'MultiLineString':
      return geometry.coordinates.flat();
    case 'MultiPolygon':
      return geometry.coordinates.flat(2);
    default:
      return [];
  }
}

/**
 * Great-circle distance in radians, computed the way MongoDB's S2 library does (the angle between
 * the two unit vectors, atan2(|a × b|, a · b)), so that `$geoNear` distances equal CloudBase's to
 * the last digit; Turf's haversine agrees only to about 12 significant digits.
 */
function radiansBetween(a: Position, b: Position): number {
  const p = unitVector(a);
  const q = unitVector(b);
  const [x, y, z] = [p[1] * q[2] - p[2] * q[1], p[2] * q[0] - p[0] * q[2], p[0] * q[1] - p[1] * q[0]];
  return Math.atan2(Math.sqrt(x * x + y * y + z * z), p[0] * q[0] + p[1] * q[1] + p[2] * q[2]);
}

function unitVector(position: Position): [number, number, number] {
  const longitude = (position[0] ?? 0) * (Math.PI / 180);
  const latitude = (position[1] ?? 0) * (Math.PI / 180);
  const cosLatitude = Math.cos(latitude);
  return [Math.cos(longitude) * cosLatitude, Math.sin(longitude) * cosLatitude, Math.sin(latitude)];
}

/** Metres from `center` to the nearest vertex of `geometry` (for a point, the point itself). */
export function metersFrom(center: Position, geometry: Geometry): number {
  let best = Number.POSITIVE_INFINITY;
  for (const position of positionsOf(geometry)) best = Math.min(best, radiansBetween(center, position) * EARTH_RADIUS_METERS);
  return best;
}

interface NearSpec {
  center: Position;
  min: number;
  max: number;
}

/** `{ $geometry, $maxDistance, $minDistance }` (metres) or a legacy `[lng, lat]` with `$maxDistance` in radians. */
export function nearSpec(argument: unknown, operator: string): NearSpec {
  const spec = isPlainObject(argument) ? argument : {};
  const legacy = Array.isArray(argument) ? argument : undefined;
  const point = requireGeometry(legacy ?? spec.$geometry, operator);
  if (point.type !== 'Point') throw requestFailed(`${operator} needs a Point, got a ${point.type}`);
  const scale = legacy ? EARTH_RADIUS_METERS : 1;
  const max = typeof spec.$maxDistance === 'number' ? spec.$maxDistance * scale : Number.POSITIVE_INFINITY;
  const min = typeof spec.$minDistance === 'number' ? spec.$minDistance * scale : 0;
  if (max < 0 || min < 0) throw requestFailed(`${operator}: $minDistance and $maxDistance must be non-negative`);
  return { center: point.coordinates, min, max };
}

/** The distance of the nearest geometry at the field within the bounds, or null when none is. */
export function nearDistance(value: unknown, spec: NearSpec): number | null {
  let best: number | null = null;
  for (const geometry of geometriesOf(value)) {
    const meters = metersFrom(spec.center, geometry);
    if (meters >= spec.min && meters <= spec.max && (best === null || meters < best)) best = meters;
  }
  return best;
}

/** A predicate for `$geoWithin: { $geometry } | { $centerSphere: [[lng, lat], radians] }`. */
export function withinPredicate(argument: unknown): (value: unknown) => boolean {
  if (!isPlainObject(argument)) throw requestFailed('$geoWithin needs $geometry or $centerSphere');
  if (argument.$centerSphere !== undefined) {
    const sphere = argument.$centerSphere;
    const center = Array.isArray(sphere) ? asGeometry(sphere[0]) : null;
    const radius = Array.isArray(sphere) ? sphere[1] : undefined;
    if (center?.type !== 'Point' || typeof radius !== 'number' || radius < 0) {
      throw requestFailed('$centerSphere needs [[longitude, latitude], radius in radians]');
    }
    return (value) =>
      geometriesOf(value).some((geometry) =>
        positionsOf(geometry).every((position) => radiansBetween(center.coordinates, position) <= radius),
      );
  }
  const region = requireGeometry(argument.$geometry ?? argument.$polygon, '$geoWithin');
  if (region.type !== 'Polygon' && region.type !== 'MultiPolygon') {
    throw requestFailed(`$geoWithin needs a Polygon or MultiPolygon, got a ${region.type}`);
  }
  return (value) =>
    geometriesOf(value).some((geometry) => {
      if (geometry.type === 'Point') return geometryChecks().booleanPointInPolygon(geometry.coordinates, region);
      // Turf compares shape by shape: a multi-part shape is within when each part is.
      return partsOf(geometry).every((part) => withinRegion(part, region));
    });
}

function withinRegion(part: Geometry, region: Geometry): boolean {
  if (part.type === 'Point') return geometryChecks().booleanPointInPolygon(part.coordinates, region as never);
  if (region.type === 'MultiPolygon') {
    return region.coordinates.some((coordinates) => geometryChecks().booleanWithin(part, { type: 'Polygon', coordinates }));
  }
  return geometryChecks().booleanWithin(part, region);
}

function partsOf(geometry: Geometry): Geometry[] {
  switch (geometry.type) {
    case 'MultiPoint':
      return geometry.coordinates.map((coordinates) => ({ type: 'Point', coordinates }));
    case 'MultiLineString':
      return geometry.coordinates.map((coordinates) => ({ type: 'LineString', coordinates }));
    case 'MultiPolygon':
      return geometry.coordinates.map((coordinates) => ({ type: 'Polygon', coordinates }));
    default:
      return [geometry];
  }
}

/** A predicate for `$geoIntersects: { $geometry }`. */
export function intersectsPredicate(argument: unknown): (value: unknown) => boolean {
  const shape = requireGeometry(isPlainObject(argument) ? argument.$geometry : undefined, '$geoIntersects');
  return (value) => geometriesOf(value).some((geometry) => geometryChecks().booleanIntersects(geometry, shape));
}

/** A top-level `$nearSphere` / `$near` condition of a query, which orders the results by distance. */
export function nearConditionOf(criteria: Doc): { field: string; spec: NearSpec } | null {
  for (const [field, condition] of Object.entries(criteria)) {
    if (field.startsWith('$') || !isPlainObject(condition)) continue;
    for (const operator of ['$nearSphere', '$near'] as const) {
      if (condition[operator] !== undefined) return { field, spec: nearSpec(condition[operator], operator) };
    }
  }
  return null;
}

/**
 * The `$geoNear` stage: documents within the bounds, nearest first, with the distance (metres for a
 * GeoJSON `near`, radians for a legacy pair, times `distanceMultiplier`) at `distanceField`. The
 * location is read at `key`, or else at the first top-level field holding a geometry (CloudBase
 * uses the collection's only geo index; a collection with several needs `key`, as there).
 */
export function geoNearStage(docs: Doc[], argument: unknown, compile: (criteria: Doc) => (doc: Doc) => boolean): Doc[] {
  if (!isPlainObject(argument)) throw requestFailed('$geoNear needs an object');
  const { near, distanceField, maxDistance, minDistance, query, distanceMultiplier, includeLocs, key } = argument;
  if (typeof distanceField !== 'string' || distanceField === '') throw requestFailed('$geoNear requires a distanceField');
  const legacy = Array.isArray(near);
  const point = requireGeometry(near, '$geoNear');
  if (point.type !== 'Point') throw requestFailed('$geoNear needs a Point for near');
  const unit = legacy ? EARTH_RADIUS_METERS : 1;
  const spec: NearSpec = {
    center: point.coordinates,
    min: typeof minDistance === 'number' ? minDistance * unit : 0,
    max: typeof maxDistance === 'number' ? maxDistance * unit : Number.POSITIVE_INFINITY,
  };
  const multiplier = typeof distanceMultiplier === 'number' ? distanceMultiplier : 1;
  const matches = isPlainObject(query) && Object.keys(query).length > 0 ? compile(query) : () => true;
  const located: { doc: Doc; meters: number; location: unknown }[] = [];
  for (const doc of docs) {
    const field = typeof key === 'string' ? key : Object.keys(doc).find((name) => geometriesOf(doc[name]).length > 0);
    if (field === undefined) continue;
    const location = readPath(doc, field);
    const meters = nearDistance(location, spec);
    if (meters === null || !matches(doc)) continue;
    located.push({ doc, meters, location });
  }
  located.sort((a, b) => a.meters - b.meters);
  return located.map(({ doc, meters, location }) => {
    const out = { ...doc };
    writePath(out, distanceField, ((legacy ? meters / EARTH_RADIUS_METERS : meters) * multiplier) as unknown);
    if (typeof includeLocs === 'string' && includeLocs !== '') writePath(out, includeLocs, location);
    return out;
  });
}

function readPath(doc: Doc, path: string): unknown {
  let current: unknown = doc;
  for (const segment of path.split('.')) current = isPlainObject(current) ? current[segment] : undefined;
  return current;
}

function writePath(doc: Doc, path: string, value: unknown): void {
  const segments = path.split('.');
  const leaf = segments.pop() as string;
  let current: Doc = doc;
  for (const segment of segments) {
    const next = current[segment];
    const copy: Doc = isPlainObject(next) ? { ...next } : {};
    current[segment] = copy;
    current = copy;
  }
  current[leaf] = value;
}
