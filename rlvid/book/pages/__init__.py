"""One module a set of pages: what RL-V2V-GAN's, the style sets', ROVR's and the real footage's
pages show."""
