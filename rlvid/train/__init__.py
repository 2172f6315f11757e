"""Trainers: RL-V2V-GAN (and its baselines) and ROVR."""
