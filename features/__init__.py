"""Point-in-time features, competing-risk labels and training frames from the stored history."""
