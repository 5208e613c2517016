"""Vehicle knowledge: the shipped profiles (TOML data with sources) and their reader."""
