def engagement_seed(*, users):
    return None
