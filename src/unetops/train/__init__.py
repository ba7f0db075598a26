"""Training: TrainConfig, data and augmentation, MONAI networks, automatic sizes, the training loop."""
