def read_image(path, data):
    raise NotImplementedError
