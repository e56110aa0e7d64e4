"""Entry point of the packaged app: the same `studio` command as the pip install."""

import multiprocessing

from studio.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # sklearn/joblib workers in a frozen Windows build
    main()
