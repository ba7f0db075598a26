data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"] # Canonical
  filter {
    name   = "name"
    values = [var.ami_name_filter]
  }
}

data "aws_vpc" "default" {
  default = true
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}

data "aws_subnet" "chosen" {
  id = sort(data.aws_subnets.default.ids)[0]
}

resource "aws_key_pair" "admin" {
  key_name   = "${var.name}-admin"
  public_key = var.ssh_public_key
}

resource "aws_security_group" "app" {
  name        = "${var.name}-app"
  description = "unetops: SSH from the admin CIDR, HTTP and HTTPS to the API"
  vpc_id      = data.aws_vpc.default.id

  ingress {
    description = "SSH from the admin CIDR"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }

  #checkov:skip=CKV_AWS_260:the API and web UI are public on port 80 by design (TLS terminates in front, see docs/deploy.md)
  ingress {
    description = "HTTP to the API and web UI"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "HTTPS to the API and web UI"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  #checkov:skip=CKV_AWS_382:the host pulls images, packages and the dataset from the internet
  egress {
    description = "Outbound: images, packages, dataset"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_ebs_volume" "data" {
  #checkov:skip=CKV_AWS_189:encrypted with the AWS-managed EBS key; a customer-managed KMS key adds cost and key administration a lab rarely needs
  availability_zone = data.aws_subnet.chosen.availability_zone
  size              = var.volume_size_gb
  type              = "gp3"
  encrypted         = true
  tags = {
    Name = "${var.name}-data"
  }
}

resource "aws_instance" "app" {
  ami                    = data.aws_ami.ubuntu.id
  instance_type          = var.instance_type
  subnet_id              = data.aws_subnet.chosen.id
  key_name               = aws_key_pair.admin.key_name
  vpc_security_group_ids = [aws_security_group.app.id]
  monitoring             = true
  ebs_optimized          = true
  #checkov:skip=CKV_AWS_88:a public IP is how users reach the API (docs/deploy.md puts a load balancer or TLS proxy in front for production)
  associate_public_ip_address = true
  #checkov:skip=CKV2_AWS_41:the instance needs no AWS API access, so it has no IAM role
  user_data = templatefile("${path.module}/../cloud-init.yaml.tftpl", {
    volume_device = "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${replace(aws_ebs_volume.data.id, "-", "")}"
    repo_url      = var.repo_url
    repo_ref      = var.repo_ref
    serve_image   = var.serve_image
    dataset_url   = var.dataset_url
  })

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    volume_size = 40
    volume_type = "gp3"
    encrypted   = true
  }

  tags = {
    Name = var.name
  }
}

resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data.id
  instance_id = aws_instance.app.id
}
