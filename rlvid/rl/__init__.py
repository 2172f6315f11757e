"""Reinforcement-learning pieces: the Algorithm 1 replay buffer, the DDPG update
(:mod:`.ddpg`) and Phasic Policy Gradient (:mod:`.ppg`)."""

from rlvid.rl.ddpg import Part, actor_loss, critic_loss, ddpg_update, soft_update, td_target
from rlvid.rl.replay import ReplayBuffer, Transitions

__all__ = ["Part", "ReplayBuffer", "Transitions", "actor_loss", "critic_loss", "ddpg_update",
           "soft_update", "td_target"]
