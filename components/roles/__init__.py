"""The roles besides workspace images: component images (1), base images (2), and air-gap (all three)."""
