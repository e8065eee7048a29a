"""Roads with curves on highway-env: a centreline of straight and circular pieces, its lanes as a
highway-env RoadNetwork, and traffic (highway-env IDM cars) spawned along it.

Coordinates are highway-env's: x, y on the ground plane with y to the right of x, heading
clockwise from x (the recorder reads the plane as north-east-down). Road coordinates are
(s, lat): distance along the centre of lane 0 (the leftmost) and offset to its right, so lane i
is centred at lat = i * LANE_WIDTH.
"""

from dataclasses import dataclass, field

import numpy as np

LANE_WIDTH = 4.0
CAR_LENGTH, CAR_WIDTH, CAR_HEIGHT = 5.0, 2.0, 1.5  # highway-env's Vehicle.LENGTH, WIDTH
ACCEL_RANGE = (-8.0, 4.0)  # m/s^2 the ego car can do (the recorder's, the evaluation's and the world simulator's)
STEER_LIMIT = 0.5  # rad, front-wheel angle

# scenario -> (lanes, traffic speed m/s, driver target speed m/s, curve radius m, share of road curved)
SCENARIOS = {
    "highway": ((3, 4), (24, 33), (26, 35), (350, 1200), 0.5),
    "rural": ((2, 2), (14, 22), (16, 25), (90, 300), 0.6),
    "jam": ((3, 3), (2, 12), (12, 20), (250, 900), 0.4),
}


@dataclass
class Road:
    """A centreline of pieces, each a length (m) and a curvature (1/m, + = turning right)."""
    lengths: np.ndarray
    curvatures: np.ndarray
    lanes: int
    starts: np.ndarray = field(init=False)  # (P,) s at each piece's start
    poses: np.ndarray = field(init=False)  # (P, 3) x, y, heading at each piece's start

    def __post_init__(self):
        self.lengths, self.curvatures = np.asarray(self.lengths, float), np.asarray(self.curvatures, float)
        self.starts = np.concatenate([[0.0], np.cumsum(self.lengths)[:-1]])
        poses, pose = [], np.zeros(3)
        for length, k in zip(self.lengths, self.curvatures):
            poses.append(pose)
            pose = np.array(self.point(np.array([length]), pose, k))[:, 0]
        self.poses = np.array(poses)

    @property
    def length(self) -> float:
        return float(self.lengths.sum())

    @staticmethod
    def point(u: np.ndarray, start: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x, y, heading at distance u along one piece from its start pose (x, y, heading)."""
        x0, y0, h0 = start
        if abs(k) < 1e-9:
            return x0 + u * np.cos(h0), y0 + u * np.sin(h0), np.full_like(u, h0)
        h = h0 + k * u
        return x0 + (np.sin(h) - np.sin(h0)) / k, y0 + (np.cos(h0) - np.cos(h)) / k, h

    def at(self, s: np.ndarray, lat: np.ndarray | float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """World x, y, road heading and curvature (at the centre of lane 0) of road points (s, lat)."""
        s = np.atleast_1d(np.asarray(s, float))
        j = np.clip(np.searchsorted(self.starts, s, side="right") - 1, 0, len(self.lengths) - 1)
        x, y, h = np.empty_like(s), np.empty_like(s), np.empty_like(s)
        for p in np.unique(j):
            m = j == p
            x[m], y[m], h[m] = self.point(s[m] - self.starts[p], self.poses[p], self.curvatures[p])
        lat = np.broadcast_to(lat, s.shape)
        return x - lat * np.sin(h), y + lat * np.cos(h), h, self.curvatures[j]

    def frenet(self, x: np.ndarray, y: np.ndarray, s_range: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Road coordinates (s, lat) of world points, from the pieces overlapping s_range (all if None)."""
        best_s, best_lat = np.zeros_like(x), np.full_like(x, np.inf)
        best_score = np.full_like(x, np.inf)
        for p, (s0, length, k) in enumerate(zip(self.starts, self.lengths, self.curvatures)):
            if s_range is not None and (s0 > s_range[1] or s0 + length < s_range[0]):
                continue
            x0, y0, h0 = self.poses[p]
            dx, dy = x - x0, y - y0
            c, sn = np.cos(h0), np.sin(h0)
            if abs(k) < 1e-9:
                u, lat = dx * c + dy * sn, -dx * sn + dy * c
            else:  # centre of the circle at start + normal / k
                rx, ry = dx + sn / k, dy - c / k
                ang = np.arctan2(ry, rx) - np.arctan2(-c / k, sn / k)
                u = np.mod(ang + np.pi, 2 * np.pi) - np.pi
                u, lat = u / k, 1 / k - np.sign(k) * np.hypot(rx, ry)
            outside = np.maximum(np.maximum(-u, u - length), 0)
            score = np.abs(lat) + 4 * outside
            better = score < best_score
            best_s, best_lat, best_score = np.where(better, s0 + u, best_s), np.where(better, lat, best_lat), np.minimum(score, best_score)
        return best_s, best_lat

    def network(self):
        """The lanes as a highway-env RoadNetwork: piece p runs from node str(p) to str(p + 1)."""
        from highway_env.road.lane import CircularLane, LineType, StraightLane
        from highway_env.road.road import RoadNetwork
        net = RoadNetwork()
        for p, (length, k) in enumerate(zip(self.lengths, self.curvatures)):
            x0, y0, h0 = self.poses[p]
            t, n = np.array([np.cos(h0), np.sin(h0)]), np.array([-np.sin(h0), np.cos(h0)])
            for i in range(self.lanes):
                o = i * LANE_WIDTH
                lines = [LineType.CONTINUOUS if i == 0 else LineType.STRIPED,
                         LineType.CONTINUOUS if i == self.lanes - 1 else LineType.NONE]
                a = np.array([x0, y0]) + n * o
                if abs(k) < 1e-9:
                    lane = StraightLane(a, a + t * length, width=LANE_WIDTH, line_types=lines, speed_limit=40)
                else:
                    centre = np.array([x0, y0]) + n / k
                    phase = np.arctan2(*(a - centre)[::-1])
                    lane = CircularLane(centre, abs(1 / k - o), phase, phase + k * length, clockwise=k > 0,
                                        width=LANE_WIDTH, line_types=lines, speed_limit=40)
                net.add_lane(str(p), str(p + 1), lane)
        return net


def sample_road(rng: np.random.Generator, length: float, lanes: int, radius: tuple[float, float], curved: float,
                max_heading: float | None = None) -> Road:
    """A road of at least `length` m: an 80 m straight, then pieces each an arc with probability `curved` (radius
    log-uniform in `radius`, turning 15-70 degrees) or a straight of 60-300 m. Arcs are the longer pieces, so more than
    `curved` of the length is curved (~63% at 0.5 with radii 250-900 m). max_heading (rad): an arc that would turn the
    road further than that from its start's direction turns the other way (the same draws otherwise), so the road keeps
    going forwards and never comes back across itself (random turns did over a few km: 11 of 40 five-minute roads)."""
    lengths, curvatures, total, heading = [80.0], [0.0], 80.0, 0.0
    while total < length:  # (summed as it grows, in the same order: re-summing the list made an hour's road take minutes)
        if rng.random() < curved:
            r = np.exp(rng.uniform(*np.log(radius)))
            turn = rng.uniform(np.radians(15), np.radians(70))
            lengths.append(r * turn)
            sign = float(rng.choice([-1, 1]))
            if max_heading is not None and abs(heading + sign * turn) > max_heading: sign = -sign
            heading += sign * turn
            curvatures.append(sign / r)
        else:
            lengths.append(rng.uniform(60, 300))
            curvatures.append(0.0)
        total += lengths[-1]
    return Road(np.array(lengths), np.array(curvatures), lanes)


def local_lane_index(vehicle) -> tuple:
    """The closest lane among those of the vehicle's piece and its two neighbours: highway-env would search every lane."""
    net = vehicle.road.network
    p = int(vehicle.lane_index[0]) if vehicle.lane_index else 0
    near = [(str(q), str(q + 1), i) for q in (p - 1, p, p + 1) if str(q) in net.graph
            for i in range(len(net.graph[str(q)][str(q + 1)]))]
    return min(near, key=lambda idx: net.get_lane(idx).distance_with_heading(vehicle.position, vehicle.heading))


def car_classes():
    """highway-env's IDM car and kinematic car, finding their lane by local_lane_index (the network is long)."""
    from highway_env.vehicle.behavior import IDMVehicle
    from highway_env.vehicle.kinematics import Vehicle

    def on_state_update(self) -> None:
        self.lane_index = local_lane_index(self)
        self.lane = self.road.network.get_lane(self.lane_index)
    return (type("TrafficCar", (IDMVehicle,), {"on_state_update": on_state_update}),
            type("EgoCar", (Vehicle,), {"on_state_update": on_state_update}))


def spawn_traffic(road: Road, sim_road, rng: np.random.Generator, ego_s: float, ego_lane: int, speed: tuple[float, float],
                  density: float) -> list:
    """Place highway-env IDM cars in every lane from 60 m behind ego_s to 300 m ahead (at most 24); returns them."""
    traffic_car, _ = car_classes()
    cars = []
    for lane in range(road.lanes):
        lane_speed = rng.uniform(*speed) * (1 + 0.08 * (road.lanes - 1 - lane))  # left lanes are faster
        s = ego_s - 60 + rng.uniform(0, 20)
        while s < min(ego_s + 300, road.length - 50):
            if abs(s - ego_s) > 25 or lane != ego_lane:  # leave room for the ego car
                x, y, h, _ = road.at(s, lane * LANE_WIDTH)
                p = int(np.searchsorted(road.starts, s, side="right") - 1)
                v = float(np.clip(lane_speed * rng.uniform(0.85, 1.1), 0, 40))
                car = traffic_car(sim_road, np.array([x[0], y[0]]), float(h[0]), v, target_lane_index=(str(p), str(p + 1), lane),
                                 target_speed=v, enable_lane_change=rng.random() < 0.7)
                cars.append(car)
            s += CAR_LENGTH + max(lane_speed, 6) * rng.uniform(1.2, 3.5) / density + rng.uniform(4, 20)
    # highway-env compares every pair of cars each step: keep the nearest 24
    return sorted(cars, key=lambda c: abs(road.frenet(c.position[:1], c.position[1:])[0][0] - ego_s))[:24]
