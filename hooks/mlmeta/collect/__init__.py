"""Metadata from elsewhere: the Hugging Face Hub, local model snapshots, leaderboard scores."""
