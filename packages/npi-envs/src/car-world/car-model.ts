import { Rng } from "@dcnpi/tensor";
import { CarWorldError } from "./car-world-error.js";
import { cosSteps15, sinSteps15 } from "./exact-trig.js";
import { FACE_DECAL, FACE_EMISSIVE, MeshBuilder, type Mesh, type Rgb, type Vec3 } from "./mesh.js";

/**
 * Procedural low-poly cars: one seed, one car model (npi.md §4.3, standing in for the paper's CAD
 * models of Fidler et al. 2012).
 *
 * Frame: front towards +x, roof towards +y, the car's right-hand side towards +z, wheels on the
 * ground plane y = 0, centred on x = z = 0. Units are metres.
 *
 * Front and back differ on purpose, so that azimuths 180° apart are told apart from pixels: the
 * bonnet is always longer than the boot, the nose is lower than the tail, the front carries pale
 * headlights and a dark grille, the back red tail lights.
 */
export type CarStyle = "sedan" | "hatchback" | "suv";
export const CAR_STYLES: readonly CarStyle[] = ["sedan", "hatchback", "suv"];

/** Everything a car model is made from; a pure function of the seed. */
export interface CarParams {
  readonly style: CarStyle;
  readonly lengthM: number;
  readonly widthM: number;
  readonly wheelRadiusM: number;
  readonly tyreWidthM: number;
  /** Height of the body's underside. */
  readonly clearanceM: number;
  /** Underside to shoulder (the base of the windows). */
  readonly bodyHeightM: number;
  /** How far the top of the nose sits below the shoulder (the bonnet slopes down to it). */
  readonly noseDropM: number;
  /** How far the top of the tail sits below the shoulder. */
  readonly tailDropM: number;
  /** Bonnet and boot lengths as fractions of the length (bonnet always the longer). */
  readonly bonnetFraction: number;
  readonly bootFraction: number;
  readonly cabinHeightM: number;
  /** Horizontal run of the windscreen and of the rear window. */
  readonly windscreenRunM: number;
  readonly rearWindowRunM: number;
  /** Cabin inset from the body side at the shoulder, and the extra inset at the roof. */
  readonly cabinInsetM: number;
  readonly roofInsetM: number;
  readonly frontOverhangM: number;
  readonly rearOverhangM: number;
  readonly bumperHeightM: number;
  readonly headlightWidthM: number;
  readonly headlightHeightM: number;
  readonly tailLightWidthM: number;
  readonly tailLightHeightM: number;
  readonly hubRadiusFraction: number;
  readonly colors: {
    readonly body: Rgb;
    readonly glass: Rgb;
    readonly bumper: Rgb;
    readonly grille: Rgb;
    readonly headlight: Rgb;
    readonly tailLight: Rgb;
    readonly tyre: Rgb;
    readonly hub: Rgb;
  };
}

export interface CarModel {
  readonly seed: number;
  readonly params: CarParams;
  readonly mesh: Mesh;
  /** The point the camera looks at: the centre of the bounding box. */
  readonly center: Vec3;
  /** Largest distance from `center` to a vertex. */
  readonly boundingRadiusM: number;
  /** Footprint half-extents for the contact shadow (x and z). */
  readonly footprintHalfLengthM: number;
  readonly footprintHalfWidthM: number;
}

/** Every car fits in this sphere around its centre; the camera is framed on it (car-camera.ts). */
export const MAX_CAR_RADIUS_M = 2.85;

const TYRE: Rgb = [30, 30, 33];

function hsvToRgb(hueTurns: number, saturation: number, value: number): Rgb {
  const h = (hueTurns - Math.floor(hueTurns)) * 6;
  const sector = Math.floor(h);
  const f = h - sector;
  const p = value * (1 - saturation);
  const q = value * (1 - saturation * f);
  const t = value * (1 - saturation * (1 - f));
  const [r, g, b] =
    sector === 0
      ? [value, t, p]
      : sector === 1
        ? [q, value, p]
        : sector === 2
          ? [p, value, t]
          : sector === 3
            ? [p, q, value]
            : sector === 4
              ? [t, p, value]
              : [value, p, q];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

function scaleRgb(c: Rgb, factor: number): Rgb {
  return [Math.round(c[0] * factor), Math.round(c[1] * factor), Math.round(c[2] * factor)];
}

/** Draws the parameters of car `seed`. Uses only `Rng.float` (pure integer arithmetic + one division). */
export function sampleCarParams(seed: number): CarParams {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new CarWorldError("INVALID_SEED", `car seed: expected a non-negative safe integer, got ${seed}`);
  const root = Rng.fromSeed(seed).fork("car-world/car");
  const shape = root.fork("shape");
  const paint = root.fork("paint");
  const u = (rng: Rng, low: number, high: number) => low + (high - low) * rng.float();

  const styleDraw = shape.float();
  const style: CarStyle = styleDraw < 0.4 ? "sedan" : styleDraw < 0.7 ? "hatchback" : "suv";
  const suv = style === "suv";
  const lengthM = style === "hatchback" ? u(shape, 3.7, 4.3) : u(shape, 4.3, 4.9);
  const widthM = suv ? u(shape, 1.8, 1.96) : u(shape, 1.65, 1.92);
  const wheelRadiusM = suv ? u(shape, 0.35, 0.42) : u(shape, 0.29, 0.35);
  const tyreWidthM = u(shape, 0.18, 0.26);
  const clearanceM = wheelRadiusM * (suv ? u(shape, 0.6, 0.75) : u(shape, 0.45, 0.6));
  const bodyHeightM = style === "sedan" ? u(shape, 0.48, 0.6) : style === "hatchback" ? u(shape, 0.5, 0.62) : u(shape, 0.62, 0.78);
  const noseDropM = suv ? u(shape, 0.05, 0.14) : u(shape, 0.08, 0.2);
  const tailDropM = u(shape, 0.02, 0.07);
  const bonnetFraction = style === "sedan" ? u(shape, 0.27, 0.34) : style === "hatchback" ? u(shape, 0.25, 0.31) : u(shape, 0.23, 0.29);
  const bootFraction = style === "sedan" ? u(shape, 0.13, 0.19) : style === "hatchback" ? u(shape, 0.02, 0.06) : u(shape, 0.02, 0.05);
  const cabinHeightM = style === "sedan" ? u(shape, 0.4, 0.52) : style === "hatchback" ? u(shape, 0.44, 0.56) : u(shape, 0.52, 0.68);
  let windscreenRunM = cabinHeightM * (suv ? u(shape, 0.7, 1.2) : u(shape, 1.1, 1.8));
  let rearWindowRunM =
    cabinHeightM * (style === "sedan" ? u(shape, 0.9, 1.5) : style === "hatchback" ? u(shape, 0.15, 0.45) : u(shape, 0.05, 0.25));
  // Keep a roof at least 0.8 m long by shortening both rakes in proportion.
  const cabinBaseM = lengthM * (1 - bonnetFraction - bootFraction);
  const minRoofM = 0.8;
  if (cabinBaseM - windscreenRunM - rearWindowRunM < minRoofM) {
    const scale = (cabinBaseM - minRoofM) / (windscreenRunM + rearWindowRunM);
    windscreenRunM *= scale;
    rearWindowRunM *= scale;
  }
  const cabinInsetM = u(shape, 0.04, 0.1);
  const roofInsetM = u(shape, 0.08, 0.18);
  const frontOverhangM = u(shape, 0.75, 0.95);
  const rearOverhangM = u(shape, 0.7, 0.95);
  const bumperHeightM = u(shape, 0.08, 0.14);
  const frontFaceM = bodyHeightM - noseDropM - bumperHeightM;
  const headlightWidthM = u(shape, 0.24, 0.4);
  const headlightHeightM = Math.min(u(shape, 0.09, 0.16), 0.75 * frontFaceM);
  const backFaceM = bodyHeightM - tailDropM - bumperHeightM;
  const tailLightWidthM = u(shape, 0.2, 0.38);
  const tailLightHeightM = Math.min(u(shape, 0.09, 0.16), 0.6 * backFaceM);
  const hubRadiusFraction = u(shape, 0.45, 0.65);

  // Paint: mostly saturated colours, some neutrals (white, silver, grey, dark), never so dark
  // that the body vanishes against the tyres and glass.
  let body: Rgb;
  if (paint.float() < 0.25) {
    const v = [0.92, 0.75, 0.55, 0.38][paint.int(4)]!;
    body = hsvToRgb(paint.float(), 0.05, v);
  } else {
    body = hsvToRgb(paint.float(), u(paint, 0.45, 0.9), u(paint, 0.45, 0.95));
  }
  const glassShade = u(paint, 0.85, 1.15);
  const glass: Rgb = scaleRgb([52, 66, 88], glassShade);
  const bumper: Rgb = paint.float() < 0.5 ? scaleRgb(body, 0.6) : scaleRgb([70, 70, 74], u(paint, 0.8, 1.2));
  const grille: Rgb = scaleRgb([30, 32, 36], u(paint, 0.7, 1.4));
  const headlight: Rgb = paint.float() < 0.5 ? [255, 246, 200] : [235, 243, 255];
  const tailLight: Rgb = [Math.round(u(paint, 200, 240)), Math.round(u(paint, 18, 40)), Math.round(u(paint, 22, 45))];
  const hub: Rgb = scaleRgb([200, 200, 205], u(paint, 0.7, 1.05));

  return {
    style,
    lengthM,
    widthM,
    wheelRadiusM,
    tyreWidthM,
    clearanceM,
    bodyHeightM,
    noseDropM,
    tailDropM,
    bonnetFraction,
    bootFraction,
    cabinHeightM,
    windscreenRunM,
    rearWindowRunM,
    cabinInsetM,
    roofInsetM,
    frontOverhangM,
    rearOverhangM,
    bumperHeightM,
    headlightWidthM,
    headlightHeightM,
    tailLightWidthM,
    tailLightHeightM,
    hubRadiusFraction,
    colors: { body, glass, bumper, grille, headlight, tailLight, tyre: TYRE, hub },
  };
}

/** Offset of decals (lights, grille, hubs) off the surface they sit on. */
const DECAL_M = 0.012;
const WHEEL_SIDES = 12;

/** Builds the mesh of a car from its parameters. */
export function buildCarMesh(p: CarParams): Mesh {
  const b = new MeshBuilder();
  const c = p.colors;
  const halfL = p.lengthM / 2;
  const halfW = p.widthM / 2;
  const y0 = p.clearanceM;
  const y1 = y0 + p.bodyHeightM;
  const yNose = y1 - p.noseDropM;
  const yTail = y1 - p.tailDropM;
  const xCabinFront = halfL - p.bonnetFraction * p.lengthM;
  const xCabinBack = -halfL + p.bootFraction * p.lengthM;

  // Lower body: a side profile (counter-clockwise seen from +z) extruded across the width.
  // Corners: rear-bottom, front-bottom, front bumper top, nose top, windscreen base, rear-window
  // base, tail top, rear bumper bottom.
  const profile: [number, number][] = [
    [-halfL + 0.06, y0],
    [halfL - 0.1, y0],
    [halfL, y0 + p.bumperHeightM],
    [halfL, yNose],
    [xCabinFront, y1],
    [xCabinBack, y1],
    [-halfL, yTail],
    [-halfL, y0 + p.bumperHeightM],
  ];
  const sides: Rgb[] = [c.bumper, c.bumper, c.body, c.body, c.body, c.body, c.body, c.bumper];
  // The cabin's base corners sit on the body: split the extrusion there so they are shared vertices.
  const zBase = halfW - p.cabinInsetM;
  b.addExtrudedProfile(profile, [-halfW, -zBase, zBase, halfW], c.body, sides);

  // Cabin: bottom at the shoulder (left open: the body's top closes it), top is the roof; windscreen,
  // rear window and side windows are glass.
  const zRoof = zBase - p.roofInsetM;
  const yRoof = y1 + p.cabinHeightM;
  const xRoofFront = xCabinFront - p.windscreenRunM;
  const xRoofBack = xCabinBack + p.rearWindowRunM;
  b.addHexahedron(
    [
      [xCabinBack, y1, zBase],
      [xCabinFront, y1, zBase],
      [xCabinFront, y1, -zBase],
      [xCabinBack, y1, -zBase],
    ],
    [
      [xRoofBack, yRoof, zRoof],
      [xRoofFront, yRoof, zRoof],
      [xRoofFront, yRoof, -zRoof],
      [xRoofBack, yRoof, -zRoof],
    ],
    [null, c.body, c.glass, c.glass, c.glass, c.glass],
  );

  // Front face (x = halfL, between the bumper and the nose): two headlights and a grille.
  const xFront = halfL + DECAL_M;
  const lightTop = yNose - 0.035;
  const lightBottom = Math.max(y0 + p.bumperHeightM + 0.01, lightTop - p.headlightHeightM);
  const lightOuter = halfW - 0.08;
  const lightInner = lightOuter - p.headlightWidthM;
  for (const side of [1, -1]) {
    const zo = side * lightOuter;
    const zi = side * lightInner;
    // Facing +x: counter-clockwise seen from the front means z increasing along the top edge.
    const [za, zb] = [Math.min(zo, zi), Math.max(zo, zi)];
    b.addPolygon(
      [
        [xFront, lightBottom, za],
        [xFront, lightTop, za],
        [xFront, lightTop, zb],
        [xFront, lightBottom, zb],
      ],
      c.headlight,
      FACE_EMISSIVE | FACE_DECAL,
    );
  }
  const grilleHalf = Math.max(0.12, lightInner - 0.06);
  const grilleBottom = y0 + p.bumperHeightM + 0.02;
  b.addPolygon(
    [
      [xFront, grilleBottom, -grilleHalf],
      [xFront, lightTop, -grilleHalf],
      [xFront, lightTop, grilleHalf],
      [xFront, grilleBottom, grilleHalf],
    ],
    c.grille,
    FACE_DECAL,
  );

  // Back face (x = -halfL): two red tail lights at the top corners.
  const xBack = -halfL - DECAL_M;
  const tailTop = yTail - 0.03;
  const tailBottom = Math.max(y0 + p.bumperHeightM + 0.01, tailTop - p.tailLightHeightM);
  const tailOuter = halfW - 0.05;
  const tailInner = tailOuter - p.tailLightWidthM;
  for (const side of [1, -1]) {
    const zo = side * tailOuter;
    const zi = side * tailInner;
    const [za, zb] = [Math.max(zo, zi), Math.min(zo, zi)];
    b.addPolygon(
      [
        [xBack, tailBottom, za],
        [xBack, tailTop, za],
        [xBack, tailTop, zb],
        [xBack, tailBottom, zb],
      ],
      c.tailLight,
      FACE_EMISSIVE | FACE_DECAL,
    );
  }

  // Wheels: 12-sided prisms across the car, sticking out 15 mm past the body, with a hub disc.
  const r = p.wheelRadiusM;
  const ring: [number, number][] = [];
  for (let k = 0; k < WHEEL_SIDES; k++) ring.push([r * cosSteps15(2 * k), r * sinSteps15(2 * k)]);
  const hubR = r * p.hubRadiusFraction;
  const zOuter = halfW + 0.015;
  const zInner = zOuter - p.tyreWidthM;
  for (const xAxle of [halfL - p.frontOverhangM, -halfL + p.rearOverhangM]) {
    const profileAt = ring.map(([dx, dy]) => [xAxle + dx, r + dy] as [number, number]);
    for (const side of [1, -1]) {
      const [zMin, zMax] = side > 0 ? [zInner, zOuter] : [-zOuter, -zInner];
      b.addExtrudedProfile(profileAt, [zMin, zMax], c.tyre, []);
      const hub: Vec3[] = ring.map(([dx, dy]) => [xAxle + (dx * hubR) / r, r + (dy * hubR) / r, side * (zOuter + DECAL_M * 0.5)] as const);
      b.addPolygon(side > 0 ? hub : [...hub].reverse(), c.hub, FACE_DECAL);
    }
  }
  return b.build();
}

/** Car model `seed`: its parameters, mesh, centre and bounding radius. */
export function generateCar(seed: number): CarModel {
  const params = sampleCarParams(seed);
  const mesh = buildCarMesh(params);
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 1; i < mesh.positions.length; i += 3) {
    minY = Math.min(minY, mesh.positions[i]!);
    maxY = Math.max(maxY, mesh.positions[i]!);
  }
  const center: Vec3 = [0, (minY + maxY) / 2, 0];
  let radiusSquared = 0;
  for (let i = 0; i < mesh.positions.length; i += 3) {
    const dx = mesh.positions[i]! - center[0];
    const dy = mesh.positions[i + 1]! - center[1];
    const dz = mesh.positions[i + 2]! - center[2];
    radiusSquared = Math.max(radiusSquared, dx * dx + dy * dy + dz * dz);
  }
  const boundingRadiusM = Math.sqrt(radiusSquared);
  if (boundingRadiusM > MAX_CAR_RADIUS_M) {
    // A bug in the parameter ranges, not a caller error: the camera framing would clip this car.
    throw new CarWorldError("INVALID_SEED", `car ${seed}: bounding radius ${boundingRadiusM.toFixed(3)} m exceeds ${MAX_CAR_RADIUS_M} m`);
  }
  return {
    seed,
    params,
    mesh,
    center,
    boundingRadiusM,
    footprintHalfLengthM: params.lengthM / 2,
    footprintHalfWidthM: params.widthM / 2 + 0.015,
  };
}
