"""Reinforcement-learning pieces: the Algorithm 1 replay buffer and DDPG updates."""

from rlvid.rl.ddpg import actor_loss, critic_loss, soft_update, td_target
from rlvid.rl.replay import ReplayBuffer, Transitions

__all__ = ["ReplayBuffer", "Transitions", "actor_loss", "critic_loss", "soft_update",
           "td_target"]
