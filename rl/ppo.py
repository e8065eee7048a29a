"""The maths of the RL stage: the disengagement reward, generalized advantage estimation, PPO's clipped loss and one PPO
update over a batch of rollouts. Numpy for what is computed once per rollout, the engine for what is differentiated."""
from __future__ import annotations
from dataclasses import dataclass
from typing import Protocol
import numpy as np
from drivegpt import Tensor
from drivegpt.nn.optim import clip_grad_norm_

def disengage_reward(p: np.ndarray, progress_m: np.ndarray, progress_coef: float, p_min: float = 1e-3) -> np.ndarray:
  """-log p(disengage) + progress_coef * metres driven, per step. p is floored at p_min so that driving p from 1e-3 to 1e-6
  (a world-model artefact more likely than a safer car) earns nothing: -log p is at most -log p_min."""
  return -np.log(np.clip(p, p_min, 1.0)) + progress_coef * progress_m

def gae(rewards: np.ndarray, values: np.ndarray, dones: np.ndarray, last_value: np.ndarray, gamma: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
  """Generalized advantage estimation. rewards, values, dones (T, B): dones[t] = the episode ended after step t (no
  bootstrap across it); last_value (B,): V of the state after step T-1. Returns advantages and returns (T, B), float64."""
  T = len(rewards)
  adv, last = np.zeros(rewards.shape, np.float64), np.zeros(rewards.shape[1:], np.float64)
  for t in reversed(range(T)):
    next_value = last_value if t == T - 1 else values[t + 1]
    alive = 1.0 - dones[t].astype(np.float64)
    delta = rewards[t] + gamma * next_value * alive - values[t]
    last = delta + gamma * lam * alive * last
    adv[t] = last
  return adv, adv + values

def ppo_clip_loss(logp: Tensor, logp_old: Tensor, adv: Tensor, clip: float) -> Tensor:
  """PPO's clipped surrogate, to minimize: -mean(min(r A, clip(r, 1-eps, 1+eps) A)), r = exp(logp - logp_old); (B,) each."""
  ratio = (logp - logp_old).exp()
  return -(ratio * adv).minimum(ratio.clip(1 - clip, 1 + clip) * adv).mean()

class Actor(Protocol):
  log_std: Tensor
  def mean(self, obs: dict) -> Tensor: ...                              # (B, A)
  def log_prob(self, mean: Tensor, actions: Tensor) -> Tensor: ...      # (B,)
  def entropy(self) -> Tensor: ...
  def parameters(self) -> list[Tensor]: ...

class Critic(Protocol):
  def value(self, obs: dict) -> Tensor: ...                             # (B,)
  def parameters(self) -> list[Tensor]: ...

@dataclass
class PPOConfig:
  gamma: float = 0.95
  lam: float = 0.9
  clip: float = 0.2
  epochs: int = 4
  minibatch: int = 64
  vf_coef: float = 0.5         # no effect: the critic is its own network, its gradient clipped apart and stepped by Adam, which
                               # undoes any scale on its loss (kept so that older runs' configs load; a value given is refused)
  ent_coef: float = 0.0
  grad_clip: float = 0.5
  target_kl: float = 0.05      # stop the epochs of an update once the approximate KL to the rollout policy passes this

def ppo_update(actor: Actor, critic: Critic, opt, batch: dict, cfg: PPOConfig, rng: np.random.Generator) -> dict:
  """PPO epochs over batch {"obs": {k: (M, ...)}, "actions": (M, A), "logp": (M,), "adv": (M,), "returns": (M,)};
  advantages are normalized per batch. The update stops before a step whose minibatch is past target_kl. Returns mean
  policy loss, value loss, approximate KL (kl: before each step taken; kl_stop: of the minibatch that stopped it, or
  None; kl_update: of the updated policy), entropy and the optimizer steps taken."""
  M = len(batch["actions"])
  adv = (batch["adv"] - batch["adv"].mean()) / (batch["adv"].std() + 1e-8)
  stats: dict = {"policy_loss": [], "value_loss": [], "kl": [], "clip_frac": []}
  steps, stop = 0, None
  for _ in range(cfg.epochs):
    order = rng.permutation(M)
    for start in range(0, M, cfg.minibatch):
      idx = order[start:start + cfg.minibatch]
      obs = {k: v[idx] for k, v in batch["obs"].items()}
      logp_old = Tensor(batch["logp"][idx].astype(np.float32))
      logp = actor.log_prob(actor.mean(obs), Tensor(batch["actions"][idx].astype(np.float32)))
      log_ratio = logp.numpy() - batch["logp"][idx]   # the policy as it is, before this minibatch's step
      # checked before each step: checked after each epoch, an update went on for up to an epoch of steps past it (KL
      # 2.6-12x target_kl in the demo's runs). The minibatch that stops it takes no step: its KL is kl_stop, not in kl
      if (kl := _k3(log_ratio)) > cfg.target_kl:
        stop = kl
        break
      stats["kl"].append(kl)
      pg = ppo_clip_loss(logp, logp_old, Tensor(adv[idx].astype(np.float32)), cfg.clip)
      vl = (critic.value(obs) - Tensor(batch["returns"][idx].astype(np.float32))).square().mean()
      loss = pg + vl - cfg.ent_coef * actor.entropy()   # (the two nets share no weights: a weight on vl changes nothing, see vf_coef)
      opt.zero_grad()
      loss.backward()
      clip_grad_norm_(actor.parameters(), cfg.grad_clip)   # apart: a large value loss must not shrink the policy's step
      clip_grad_norm_(critic.parameters(), cfg.grad_clip)
      opt.step(pg, vl)  # realized with the update: computed after it, they would read the new weights
      steps += 1
      stats["policy_loss"].append(float(pg.item()))
      stats["value_loss"].append(float(vl.item()))
      stats["clip_frac"].append(float(np.mean(np.abs(np.exp(log_ratio) - 1) > cfg.clip)))
    else: continue
    break
  out = {k: float(np.mean(v)) if v else None for k, v in stats.items()}
  out["steps"], out["kl_stop"] = steps, stop
  out["entropy"] = float(actor.entropy().item())
  # kl is PPO's usual measure, each minibatch's before its step (it stops the epochs early); kl_update is how far the
  # update moved the policy from the one that collected the batch (at tiny sizes ~8x kl, which alone read as a small step)
  log_ratio = actor.log_prob(actor.mean(batch["obs"]), Tensor(batch["actions"].astype(np.float32))).numpy() - batch["logp"]
  out["kl_update"] = _k3(log_ratio)
  return out

def _k3(log_ratio: np.ndarray) -> float:
  """KL(old || new) from log(new / old) at the old policy's samples: the k3 estimator, unbiased and >= 0."""
  return float(np.mean(np.exp(log_ratio) - 1 - log_ratio))
