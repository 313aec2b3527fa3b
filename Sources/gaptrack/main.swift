print("gaptrack")
