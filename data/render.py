"""A numpy dashcam: frames rendered from the simulator state with a pinhole camera.

Each pixel's ray is turned by the car's yaw, pitch and roll and cast onto the ground plane; where
it lands on the road (in road coordinates, so curves come out right) gives asphalt, lane lines,
shoulder or grass. Cars, trees, poles, guard rails and overpasses are boxes and billboards
painted far to near. A Scene (sampled per segment) sets the sky, light, haze, colours, scenery
and sensor noise.
"""

import functools
from dataclasses import dataclass, field

import numpy as np

from data.road import CAR_HEIGHT, CAR_LENGTH, CAR_WIDTH, LANE_WIDTH, Road

HEIGHT, WIDTH = 128, 256
VIEW = 220.0  # metres of road drawn; haze hides the cut
CAR_COLOURS = np.array([[180, 30, 30], [30, 60, 160], [200, 200, 205], [40, 40, 44], [150, 150, 155],
                        [20, 110, 70], [210, 170, 40], [120, 80, 50]], np.float32)
HOOD = np.array([38, 42, 52], np.float32)


@dataclass
class Camera:
    """Pinhole dashcam: focal length in pixels, mounting height and offset from the car centre."""
    height: int = HEIGHT
    width: int = WIDTH
    focal: float = 0.78 * WIDTH  # ~65 deg horizontal field of view, like comma's road camera
    mount_height: float = 1.25  # metres above the road
    mount_forward: float = 0.8  # metres ahead of the car centre


@dataclass
class Scene:
    """Weather, light, colours, scenery and sensor of one segment (the defaults: clear noon, bare road)."""
    sky_top: tuple = (96, 140, 205)
    sky_horizon: tuple = (196, 212, 228)
    haze: tuple = (178, 190, 200)
    visibility: float = 180.0  # m, haze reaches 63% here
    asphalt: tuple = (92, 92, 96)
    grass: tuple = (76, 112, 52)
    sun: tuple = (0.4, 0.3, -0.87)  # unit vector towards the sun, world (x, y, z down)
    light: float = 1.0  # overall exposure
    clouds: float = 0.0  # 0 clear .. 1 overcast
    hills: float = 0.0  # height of the horizon silhouette, rad
    noise: float = 0.0  # sensor noise std, grey levels
    dash: float = 12.0  # m, period of lane-line dashes (a third painted)
    barriers: tuple = ()  # road sides (-1 left, +1 right) with a guard rail
    trees: np.ndarray = field(default_factory=lambda: np.zeros((0, 6)))  # (K, 6) s, lat, height, width, r, g
    poles: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # (K, 3) s, lat, height
    overpasses: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) s of the bridge centre
    phase: float = 0.0  # seeds the sky's clouds and the hills


def sample_scene(rng: np.random.Generator, road: Road) -> Scene:
    """A random scene: time of day, weather, colours and roadside objects along `road`."""
    kind = str(rng.choice(["clear", "clear", "overcast", "hazy", "dusk"]))
    sky_top, sky_horizon, haze, light, clouds, vis = {
        "clear": ((90, 138, 210), (196, 212, 228), (178, 190, 200), 1.0, 0.15, 220),
        "overcast": ((150, 155, 162), (190, 192, 196), (175, 178, 182), 0.8, 0.9, 160),
        "hazy": ((160, 175, 195), (215, 215, 210), (205, 205, 200), 0.95, 0.4, 90),
        "dusk": ((60, 70, 120), (230, 150, 100), (160, 130, 120), 0.6, 0.3, 140),
    }[kind]
    jitter = lambda c, a=12: tuple(np.clip(np.array(c) + rng.uniform(-a, a, 3), 0, 255))  # noqa: E731
    el = {"dusk": rng.uniform(0.05, 0.2)}.get(kind, rng.uniform(0.35, 1.2))
    az = rng.uniform(0, 2 * np.pi)
    sun = (np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), -np.sin(el))
    edge_r = LANE_WIDTH * (road.lanes - 0.5)
    trees, poles = [], []
    for side, edge in ((-1, -LANE_WIDTH / 2), (1, edge_r)):
        n_trees = int(road.length / rng.uniform(8, 60))
        s = rng.uniform(0, road.length, n_trees)
        lat = edge + side * rng.uniform(5, 40, n_trees)
        green = rng.uniform(0.6, 1.2, n_trees)
        trees.append(np.stack([s, lat, rng.uniform(4, 11, n_trees), rng.uniform(2.5, 6, n_trees),
                               40 * green + rng.uniform(0, 40, n_trees), 80 * green], 1))
        if rng.random() < 0.6:
            spacing = rng.uniform(30, 70)
            s = np.arange(rng.uniform(0, spacing), road.length, spacing)
            poles.append(np.stack([s, np.full_like(s, edge + side * 2.5), np.full_like(s, rng.uniform(7, 11))], 1))
    n_bridges = rng.poisson(road.length / 1500)
    return Scene(sky_top=jitter(sky_top), sky_horizon=jitter(sky_horizon), haze=jitter(haze, 8),
                 visibility=vis * rng.uniform(0.8, 1.3), asphalt=jitter((90, 90, 94), 14),
                 grass=jitter(((76, 112, 52), (110, 120, 60), (120, 105, 70))[rng.integers(3)], 10),
                 sun=sun, light=light * rng.uniform(0.85, 1.15), clouds=clouds, hills=rng.uniform(0, 0.06),
                 noise=rng.uniform(0.5, 4.0), dash=rng.uniform(9, 15),
                 barriers=tuple(side for side in (-1, 1) if rng.random() < 0.5),
                 trees=np.concatenate(trees), poles=np.concatenate(poles) if poles else np.zeros((0, 3)),
                 overpasses=np.sort(rng.uniform(150, road.length - 100, n_bridges)), phase=rng.uniform(0, 100))


def rotation(heading: float, pitch: float = 0.0, roll: float = 0.0) -> np.ndarray:
    """Camera [forward, right, down] -> world (x, y, z down): yaw, then pitch (nose up +), then roll (right down +)."""
    ch, sh, cp, sp, cr, sr = np.cos(heading), np.sin(heading), np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    rz = np.array([[ch, -sh, 0], [sh, ch, 0], [0, 0, 1]])
    ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    return rz @ ry @ rx


def _fill_convex(img: np.ndarray, pts: np.ndarray, colour: np.ndarray) -> None:
    """Paint the convex polygon with pixel corners `pts` (K, 2) as (u, v) into img (H, W, 3)."""
    h, w = img.shape[:2]
    u0, v0 = np.floor(pts.min(0)).astype(int)
    u1, v1 = np.ceil(pts.max(0)).astype(int)
    u0, v0, u1, v1 = max(u0, 0), max(v0, 0), min(u1, w), min(v1, h)
    if u0 >= u1 or v0 >= v1:
        return
    uu, vv = np.meshgrid(np.arange(u0, u1) + 0.5, np.arange(v0, v1) + 0.5)
    a, b = pts, np.roll(pts, -1, axis=0)
    cross = (b[:, 0, None, None] - a[:, 0, None, None]) * (vv - a[:, 1, None, None]) - \
            (b[:, 1, None, None] - a[:, 1, None, None]) * (uu - a[:, 0, None, None])  # (K, h, w)
    inside = (cross >= 0).all(0) | (cross <= 0).all(0)
    img[v0:v1, u0:u1][inside] = colour


class _View:
    """One frame's camera pose: projects world points to pixels, clipping polygons at the near plane."""

    def __init__(self, pos: np.ndarray, rot: np.ndarray, f: float, w: int, h: int):
        self.pos, self.rot, self.f, self.w, self.h = pos, rot, f, w, h

    def depth(self, p: np.ndarray) -> np.ndarray:
        return (p - self.pos) @ self.rot[:, 0]

    def polygon(self, p: np.ndarray, near: float = 0.5) -> np.ndarray:
        """(K, 3) world polygon -> (M, 2) pixel polygon, the part in front of the near plane."""
        c = (p - self.pos) @ self.rot  # camera frame: forward, right, down
        if (c[:, 0] < near).any():  # Sutherland-Hodgman against forward >= near
            out = []
            for a, b in zip(c, np.roll(c, -1, axis=0)):
                if a[0] >= near:
                    out.append(a)
                if (a[0] >= near) != (b[0] >= near):
                    out.append(a + (b - a) * (near - a[0]) / (b[0] - a[0]))
            if len(out) < 3:
                return np.empty((0, 2))
            c = np.array(out)
        return np.stack([self.w / 2 + self.f * c[:, 1] / c[:, 0], self.h / 2 + self.f * c[:, 2] / c[:, 0]], 1)


# unit box corners (x forward, y right, z down) and its faces as corner indices, outward normals
_BOX = np.array([[x, y, z] for x in (-.5, .5) for y in (-.5, .5) for z in (0, -1)], np.float32)
_FACES = [((4, 5, 7, 6), (1, 0, 0)), ((0, 2, 3, 1), (-1, 0, 0)), ((2, 6, 7, 3), (0, 1, 0)),
          ((0, 1, 5, 4), (0, -1, 0)), ((1, 3, 7, 5), (0, 0, -1))]


def _box(view: _View, img: np.ndarray, centre, heading: float, size, base: np.ndarray, scene: Scene, fog) -> None:
    """Paint a box (length, width, height) standing on centre (x, y, z of its bottom, z down), lit by the sun."""
    c, s = np.cos(heading), np.sin(heading)
    rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    corners = (_BOX * size) @ rot.T + centre  # (8, 3)
    sun, haze = np.array(scene.sun), np.array(scene.haze, np.float32)
    for idx, normal in _FACES:
        n = rot @ normal
        if n @ (corners[list(idx)].mean(0) - view.pos) >= 0:
            continue  # faces away from the camera
        pts = view.polygon(corners[list(idx)])
        if len(pts):
            shade = 0.45 + 0.55 * max(0.0, float(n @ sun)) * (1 - 0.6 * scene.clouds) + 0.15 * scene.clouds
            _fill_convex(img, pts, base * shade * (1 - fog) + haze * fog)


def _car(view: _View, img: np.ndarray, x: float, y: float, heading: float, colour_id: int, scene: Scene, fog: float) -> None:
    """A car: its shadow, a shaded box, then rear window and tail lights on the rear face if it is seen."""
    c, s = np.cos(heading), np.sin(heading)
    haze = np.array(scene.haze, np.float32)
    sun = np.array(scene.sun)
    shift = -sun[:2] / max(-sun[2], 0.35) * CAR_HEIGHT * 0.5 * (1 - scene.clouds)  # shadow falls away from the sun
    foot = np.array([[x - 2.8 * c + 1.2 * s, y - 2.8 * s - 1.2 * c, 0], [x + 2.8 * c + 1.2 * s, y + 2.8 * s - 1.2 * c, 0],
                     [x + 2.8 * c - 1.2 * s, y + 2.8 * s + 1.2 * c, 0], [x - 2.8 * c - 1.2 * s, y - 2.8 * s + 1.2 * c, 0]])
    for poly in (foot + [*(shift / 2), 0],):
        pts = view.polygon(poly)
        if len(pts):
            _fill_convex(img, pts, np.array(scene.asphalt, np.float32) * 0.45 * scene.light * (1 - fog) + haze * fog)
    base = CAR_COLOURS[colour_id % len(CAR_COLOURS)] * scene.light
    _box(view, img, (x, y, 0), heading, (CAR_LENGTH, CAR_WIDTH, CAR_HEIGHT), base, scene, fog)
    rear_centre = np.array([x - 2.5 * c, y - 2.5 * s, -0.75])
    if (np.array([-c, -s, 0]) @ (rear_centre - view.pos)) < 0 and view.depth(rear_centre) < 80:  # too small to see further
        bl = np.array([x - 2.5 * c - s, y - 2.5 * s + c, 0])  # rear face: bottom-left seen from behind
        up, across = np.array([0, 0, -CAR_HEIGHT]), np.array([2 * s, -2 * c, 0])
        window = [bl + 0.6 * up + 0.12 * across, bl + 0.6 * up + 0.88 * across, bl + 0.92 * up + 0.8 * across, bl + 0.92 * up + 0.2 * across]
        lights = [[bl + a * up + b * across for a, b in ((.35, lo), (.35, lo + .14), (.5, lo + .14), (.5, lo))] for lo in (.04, .82)]
        for quad, colour in ((window, (30, 36, 48)), (lights[0], (200, 20, 20)), (lights[1], (200, 20, 20))):
            pts = view.polygon(np.array(quad))
            if len(pts):
                _fill_convex(img, pts, np.array(colour, np.float32) * (1 - fog) + haze * fog)


def _rays(cam: Camera, scale: int) -> np.ndarray:
    """Unnormalised camera-frame rays (h, w, 3) [forward, right, down] of each pixel centre at scale x size."""
    h, w, f = cam.height * scale, cam.width * scale, cam.focal * scale
    v, u = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5
    return np.stack([np.full((h, w), f, np.float32), u - w / 2, v - h / 2], -1)


_RAYS: dict = {}


def render_dashcam(ego: tuple, cars: list[tuple[float, float, float, int]], road: Road, scene: Scene = Scene(),
                   cam: Camera = Camera(), scale: int = 2, rng: np.random.Generator | None = None) -> np.ndarray:
    """Dashcam frame (H, W, 3) uint8 from ego (x, y, heading[, pitch, roll]) and cars (x, y, heading, colour)."""
    x, y, heading, pitch, roll = (tuple(ego) + (0.0, 0.0))[:5]
    rot = rotation(heading, pitch, roll)
    pos = np.array([x + cam.mount_forward * np.cos(heading), y + cam.mount_forward * np.sin(heading), -cam.mount_height])
    h, w, f = cam.height * scale, cam.width * scale, cam.focal * scale
    key = (cam.height, cam.width, cam.focal, scale)
    if key not in _RAYS:
        _RAYS[key] = _rays(cam, scale)
    rays = _RAYS[key]
    r32 = rot.T.astype(np.float32)
    haze = np.array(scene.haze, np.float32)
    img = np.empty((h, w, 3), np.float32)

    # sky, clouds and a silhouette of far hills by each ray's elevation and azimuth; smooth, so at half size
    d = rays[::2, ::2] @ r32
    elev = -d[..., 2] / np.linalg.norm(d, axis=-1)
    az = np.arctan2(d[..., 1], d[..., 0])
    t = np.clip(elev / 0.45, 0, 1)[..., None]
    sky = np.array(scene.sky_horizon, np.float32) * (1 - t) + np.array(scene.sky_top, np.float32) * t
    if scene.clouds > 0:
        puff = np.sin(9 * az + scene.phase) * np.sin(23 * elev + 2 * np.sin(5 * az + scene.phase)) + 0.5 * np.sin(31 * az - scene.phase)
        sky = sky * (1 - 0.35 * scene.clouds) + (0.35 * scene.clouds) * (200 + 30 * puff)[..., None]
    hill = scene.hills * (0.55 + 0.3 * np.sin(3 * az + scene.phase) + 0.15 * np.sin(11 * az + 2 * scene.phase))
    sky = np.where((elev < hill)[..., None], haze * 0.8 + np.array(scene.grass, np.float32) * 0.2, sky)
    img[:] = (sky * scene.light).repeat(2, 0).repeat(2, 1)

    # ground: where each downward ray meets the road plane, in road coordinates (rows below the horizon only)
    dz = rays[:, :, 1:] @ r32[1:, 2] + f * r32[0, 2]  # (h, w) down component of each ray
    rows = np.nonzero((dz > 1e-3 * f).any(1))[0]
    if len(rows):
        r0 = rows[0]
        d = rays[r0:] @ r32
        dz = d[..., 2]
        t = cam.mount_height / np.maximum(dz, 1e-3 * f)  # ray parameter to the ground
        gd = t * np.sqrt(f * f + (d[..., 1] ** 2 + d[..., 0] ** 2 + dz ** 2 - f * f))  # distance
        gx, gy = pos[0] + t * d[..., 0], pos[1] + t * d[..., 1]
        s_cam = road.frenet(np.array([pos[0]]), np.array([pos[1]]))[0][0]
        s, lat = road.frenet(gx.astype(np.float64), gy.astype(np.float64), (s_cam - 20, s_cam + VIEW * 1.6))
        s, lat = s.astype(np.float32), lat.astype(np.float32)
        edge_l, edge_r = -LANE_WIDTH / 2, LANE_WIDTH * (road.lanes - 0.5)
        # one palette index and one brightness per pixel: grass 0, shoulder 1, asphalt 2, paint 3
        idx = ((lat > edge_l - 1.5) & (lat < edge_r + 1.5)).astype(np.int8)
        idx += (lat > edge_l) & (lat < edge_r)
        line_y = lat - edge_l
        k = np.round(line_y / LANE_WIDTH)
        near_line = np.abs(line_y - k * LANE_WIDTH) < 0.08 + 0.0035 * gd  # widen far away against aliasing
        dashed = (k > 0) & (k < road.lanes) & (np.mod(s, scene.dash) < scene.dash / 3)
        idx[near_line & (dashed | (k == 0) | (k == road.lanes))] = 3
        texture = np.where(idx == 0, 0.85 + 0.15 * np.sin(s * 0.35 + 0.2 * lat) * np.sin(lat * 0.9), 0.97 + 0.03 * np.sin(s * 1.7 + lat))
        for s_b in scene.overpasses:  # the bridge's shadow
            if abs(s_b - s_cam) < VIEW * 1.6:
                texture = np.where(np.abs(s - s_b) < 6, texture * 0.55, texture)
        palette = np.array([scene.grass, np.array(scene.asphalt) * 1.25 + 8, scene.asphalt, (232, 232, 224)], np.float32)
        col = palette[idx] * texture[..., None]
        fog = (1 - np.exp(-np.minimum(gd, VIEW * 1.6) / scene.visibility))[..., None]
        fog = np.where((gd > VIEW * 1.6)[..., None], 1.0, fog)
        ground = (col * (1 - fog) + haze * fog) * scene.light
        img[r0:] = np.where((dz > 1e-3 * f)[..., None], ground, img[r0:])
    else:
        s_cam = road.frenet(np.array([pos[0]]), np.array([pos[1]]))[0][0]
    edge_l, edge_r = -LANE_WIDTH / 2, LANE_WIDTH * (road.lanes - 0.5)

    # objects, far to near
    view = _View(pos, rot, f, w, h)
    items = []  # (depth, draw)
    for cx, cy, ch, colour in cars:
        dep = view.depth(np.array([cx, cy, 0.0]))
        if 1.0 < dep < VIEW:
            items.append((dep, lambda cx=cx, cy=cy, ch=ch, colour=colour, dep=dep:
                          _car(view, img, cx, cy, ch, colour, scene, 1 - np.exp(-dep / scene.visibility))))
    lo, hi = s_cam - 5, s_cam + VIEW
    for row in scene.trees[(scene.trees[:, 0] > lo) & (scene.trees[:, 0] < s_cam + 160)]:
        items.append(_billboard_item(view, img, road, scene, row[0], row[1], row[2], row[3], np.array([row[4], row[5], 35.0])))
    for s_p, lat_p, ht in scene.poles[(scene.poles[:, 0] > lo) & (scene.poles[:, 0] < hi)]:
        items.append(_billboard_item(view, img, road, scene, s_p, lat_p, ht, 0.25, np.array([120, 120, 118.0]), pole=True))
    for side in scene.barriers:
        s_b = np.concatenate([np.arange(np.floor(lo / 4) * 4, lo + 40, 4.0), np.arange(np.floor(lo / 4) * 4 + 44, hi, 12.0)])
        lat_b = np.full_like(s_b, edge_l - 1.0 if side < 0 else edge_r + 1.0)
        bx, by, _, _ = road.at(s_b, lat_b)
        for i in range(len(s_b) - 1):
            quad = np.array([[bx[i], by[i], -0.3], [bx[i + 1], by[i + 1], -0.3], [bx[i + 1], by[i + 1], -0.75], [bx[i], by[i], -0.75]])
            dep = view.depth(quad.mean(0))
            if 0 < dep < VIEW:
                items.append((dep, lambda quad=quad, dep=dep: _flat(view, img, quad, np.array([170, 172, 175.0]), scene, dep)))
    for s_b in scene.overpasses[(scene.overpasses > lo) & (scene.overpasses < hi + 40)]:
        bx, by, bh, _ = road.at(np.array([s_b]), np.array([(edge_l + edge_r) / 2]))
        dep = view.depth(np.array([bx[0], by[0], 0.0]))
        span = edge_r - edge_l + 30
        items.append((dep + 40, lambda bx=bx[0], by=by[0], bh=bh[0], dep=dep: _box(
            view, img, (bx, by, -5.5), bh, (8.0, span, 1.4), np.array([165, 160, 150.0]) * scene.light, scene,
            1 - np.exp(-max(dep, 0) / scene.visibility))))
    for _, draw in sorted(items, key=lambda it: -it[0]):
        draw()

    # our own bonnet along the bottom edge
    hood, hood_colour = _hood(h, w)
    img[hood] = hood_colour * scene.light

    # average scale x scale pixel blocks (anti-aliasing), then the sensor: vignetting and noise
    img = sum(img[i::scale, j::scale] for i in range(scale) for j in range(scale)) / (scale * scale)  # 5x faster than .mean
    if scene.noise > 0 and rng is not None:
        img = img * _vignette(cam.height, cam.width) + rng.normal(0, scene.noise, img.shape).astype(np.float32)
    return img.clip(0, 255).astype(np.uint8)


@functools.lru_cache
def _hood(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Mask (h, w) of our bonnet along the bottom edge, a gentle curve, and its shaded colour per masked pixel."""
    u = (np.arange(w) + 0.5) / w - 0.5
    top = h - (0.09 - 0.1 * u ** 2) * h  # (w,)
    rows = np.arange(h)[:, None] + 0.5
    mask = rows > top[None, :]
    shade = (0.8 + 0.5 * (rows - top[None, :]) / (0.09 * h)).clip(0.8, 1.3)
    return mask, HOOD * np.broadcast_to(shade, mask.shape)[mask][:, None]


@functools.lru_cache
def _vignette(h: int, w: int) -> np.ndarray:
    v, u = np.mgrid[0:h, 0:w] + 0.5
    r2 = ((u - w / 2) / (w / 2)) ** 2 + ((v - h / 2) / (w / 2)) ** 2
    return (1 - 0.25 * r2)[..., None].astype(np.float32)


def _flat(view: _View, img: np.ndarray, quad: np.ndarray, colour: np.ndarray, scene: Scene, dep: float) -> None:
    pts = view.polygon(quad)
    if len(pts):
        fog = 1 - np.exp(-dep / scene.visibility)
        _fill_convex(img, pts, colour * scene.light * (1 - fog) + np.array(scene.haze, np.float32) * scene.light * fog)


def _billboard_item(view: _View, img: np.ndarray, road: Road, scene: Scene, s: float, lat: float, height: float,
                    width: float, colour: np.ndarray, pole: bool = False) -> tuple:
    """A tree (trunk + crown) or a pole standing at road coordinates (s, lat), facing the camera."""
    bx, by, _, _ = road.at(np.array([s]), np.array([lat]))
    base = np.array([bx[0], by[0], 0.0])
    dep = view.depth(base)
    right = view.rot[:, 1] * np.array([1, 1, 0])
    right = right / max(np.linalg.norm(right), 1e-6)

    def draw():
        if dep < 1.0 or dep > VIEW:
            return
        fog = 1 - np.exp(-dep / scene.visibility)
        haze = np.array(scene.haze, np.float32) * scene.light
        up = np.array([0, 0, -1.0])
        trunk_w, trunk_h = (0.25, height) if pole else (0.35, 0.35 * height)
        trunk = np.array([base - right * trunk_w / 2, base + right * trunk_w / 2,
                          base + right * trunk_w / 2 + up * trunk_h, base - right * trunk_w / 2 + up * trunk_h])
        pts = view.polygon(trunk)
        if len(pts):
            _fill_convex(img, pts, np.array([110, 105, 100.0] if pole else [80, 60, 40.0]) * scene.light * (1 - fog) + haze * fog)
        if pole:
            return
        ang = np.linspace(0, 2 * np.pi, 9)[:-1]
        mid = base + up * (0.3 * height + 0.35 * height)
        crown = mid + np.cos(ang)[:, None] * right * width / 2 + np.sin(ang)[:, None] * up * 0.35 * height
        pts = view.polygon(crown)
        if len(pts):
            _fill_convex(img, pts, colour * scene.light * (1 - fog) + haze * fog)
    return dep, draw
