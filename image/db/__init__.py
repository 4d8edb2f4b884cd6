"""The image service's database: images, their properties, tags, members, locations, imports."""
